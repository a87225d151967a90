"""ASGI entry point for uvicorn worker processes: `uvicorn hearth.asgi:app`."""

from hearth.app import create_app

app = create_app()
