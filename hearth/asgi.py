"""ASGI entry point for uvicorn worker processes: `uvicorn hearth.asgi:app`."""

import gc

from hearth.app import create_app

# Young objects collected less often than Python's default (every 700 allocations), and what
# building the app made (routes, templates, the models and their mappers) left out of every
# full collection: a request allocates thousands of short-lived objects, and the collector
# took 7.6% of a busy worker's CPU, 2% with these (issue 19; measured under the scale
# benchmark). Garbage without cycles is freed at once however the collector is set.
GC_THRESHOLDS = (20_000, 20, 20)

app = create_app()
gc.collect()
gc.freeze()
gc.set_threshold(*GC_THRESHOLDS)
