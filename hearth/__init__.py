"""Composition only: settings read from the environment (settings), the database engine and
migrations (db), the service assembled from the two apps (app, asgi), the `hearth` command (cli),
the background worker (worker) and every kind of background job it runs (jobs), demo data (demo).
Nothing below this package imports it (tests/unit/test_architecture.py)."""
