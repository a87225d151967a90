"""The officers' back office. Every route declares its permission (officer_view); views read
the request, run one command through ctx.attempt and render or redirect."""
