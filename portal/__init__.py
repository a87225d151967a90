"""The public portal: applicants and referrers, phones first, working without JavaScript.
Views read the request, run one command through ctx.attempt and render or redirect."""
