"""The scale benchmark (`make bench-scale`): generate a council of a given size on PostgreSQL
with set-based SQL, serve it in production mode next to a bare Starlette baseline, drive each
page with wrk at 20 connections and print page × size figures. It prints; it asserts nothing.

Modules: `vocab` (names, streets, words), `sql_households` and `sql_work` (the generator's SQL,
table by table), `generate` (create, migrate, load, restore indexes, reuse), `baseline` (the
bare app), `servers` (processes, ports, memory), `pages` (what is driven, one entry a page),
`driver` (sign-ins, query counts, wrk), `report` (wrk's output, ratios, the table), `run` (the
whole benchmark, `python -m bench`).
"""
