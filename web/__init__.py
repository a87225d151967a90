"""The web kit: what both apps (portal/, backoffice/) are built from.

- `context`: the request context `Ctx` — `ctx.attempt(command, …)` runs one command
  all-or-nothing; `ctx.render` puts every error on the page one way.
- `views`: the view decorators (sign-in, permission, CSRF, one transaction per request).
- `errors`: problems from forms and refused commands, turned into the GOV.UK error summary.
- `csrf`, `signin` (session tokens in the cookie), `oidc` (OpenID Connect relying party),
  `templating` (one Jinja environment, GOV.UK macros, the clock's filters), `downloads`,
  `convertors` (the bounded `{name:id}` path convertor), `fields` (the GOV.UK date input for
  WTForms), `settings` (the configuration record every request reads), `parsing` (bounded
  readers for ids and text arriving from outside).

The kit imports domain/ and nothing of changes/, portal/, backoffice/ or hearth/.
"""
