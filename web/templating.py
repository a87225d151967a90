"""Templates: one Jinja environment per process, GOV.UK Frontend macros, our filters.

The environment is built once for a set of settings that templates read (council name, service
name, colour, static folder) and shared by every app built with the same ones — test apps
included, which would otherwise compile every template again for each test.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path
from typing import Any

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    PrefixLoader,
    pass_context,
    select_autoescape,
)
from jinja2.runtime import Context
from jinja2.utils import missing
from markupsafe import Markup
from starlette.templating import Jinja2Templates

from domain import clock, contact
from domain.vocab import Permission
from web.settings import PROJECT_ROOT, Settings

TEMPLATES_DIR = PROJECT_ROOT / "templates"


class Assets:
    """Fingerprinted asset names from static/manifest.json (written by `npm run build`)."""

    def __init__(self, static_dir: Path) -> None:
        self.static_dir = static_dir
        self._manifest: dict[str, str] | None = None

    @property
    def manifest(self) -> dict[str, str]:
        if self._manifest is None:
            path = self.static_dir / "manifest.json"
            if not path.exists():
                raise RuntimeError(
                    f"{path} is missing: build the front-end assets "
                    "(npm ci && npm run build, or make install)"
                )
            self._manifest = json.loads(path.read_text())
        return self._manifest

    def url(self, logical_name: str) -> str:
        return "/static/" + self.manifest[logical_name]


def brand_css_path(settings: Settings) -> str:
    return f"/brand-{settings.council_colour.lstrip('#')}.css"


_cache: dict[tuple[Any, ...], Jinja2Templates] = {}
# Every template stays compiled (about 260 with GOV.UK Frontend's; Jinja keeps 400 by default).
TEMPLATE_CACHE_SIZE = 2000
_lock = threading.Lock()


def _iso_date(value: object) -> str:
    """A date kept as ISO text (a journey's answers), in words; anything else as it is."""
    if isinstance(value, str) and value:
        try:
            return clock.long_date(dt.date.fromisoformat(value))
        except ValueError:
            return value
    return ""


def build_templates(settings: Settings, assets: Assets) -> Jinja2Templates:
    key = (
        settings.council_name,
        settings.service_name,
        settings.council_colour,
        settings.council_phone,
        settings.out_of_hours_phone,
        str(assets.static_dir),
    )
    with _lock:
        if key not in _cache:
            _cache[key] = _build(settings, assets)
        return _cache[key]


def field_check(request: Any, field: Any) -> dict[str, str]:
    """The htmx attributes that have the server check a field as soon as it is left (see
    components/fields.html): the page's own form posted with `Hearth-Check`, and the answer's
    copy of the field's form group swapped in place of this one."""
    url = request.url
    group = f"#{field.id}-group"
    return {
        "hx-post": url.path + (f"?{url.query}" if url.query else ""),
        "hx-trigger": "change",
        "hx-target": group,
        "hx-select": group,
        "hx-swap": "outerHTML",
        "hx-select-oob": "unset",
        "hx-push-url": "false",
        "hx-headers": json.dumps({"Hearth-Check": field.name}),
    }


def file_size(size: int) -> str:
    """A file's size as people read it: "512 bytes", "48 KB", "2.4 MB"."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{round(size / 1024)} KB"
    return f"{size / (1024 * 1024):.1f} MB"


@pass_context
def csrf_field(context: Context) -> Markup:
    """A form's hidden CSRF field, from the page's `csrf_token`. A global rather than a macro
    of components/fields.html: importing that `with context` rebuilt its module on every
    render (about 0.2 ms each time), and most forms need nothing else from it."""
    token = context.resolve_or_missing("csrf_token")
    if token is missing:
        raise RuntimeError(f"{context.name}: a form's csrf() needs the page's csrf_token")
    return Markup('<input type="hidden" name="csrf_token" value="%s">') % str(token)


def _build(settings: Settings, assets: Assets) -> Jinja2Templates:
    loader = ChoiceLoader(
        [
            FileSystemLoader(TEMPLATES_DIR),
            PrefixLoader(
                {"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja", "templates")}
            ),
        ]
    )
    env = Environment(
        loader=loader,
        autoescape=select_autoescape(["html", "xml"], default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.do"],
        # In production the templates do not change under a running process: no stat of every
        # template (and each it imports) on every render.
        auto_reload=settings.embedded,
        cache_size=TEMPLATE_CACHE_SIZE,
    )
    env.globals.update(
        settings=settings,
        council_name=settings.council_name,
        service_name=settings.service_name,
        asset_url=assets.url,
        brand_css_url=brand_css_path(settings),
        Permission=Permission,
        domestic_abuse_helpline=contact.DOMESTIC_ABUSE_HELPLINE,
        opening_hours=contact.OPENING_HOURS,
        field_check=field_check,
        csrf=csrf_field,
    )
    env.filters.update(
        date=lambda value, empty="": clock.long_date(value, empty=empty),
        iso_date=_iso_date,
        short_date=clock.short_date,
        datetime=clock.date_time,
        time=clock.time_of_day,
        filesize=file_size,
    )
    if not settings.embedded:
        compile_all(env)
    return Jinja2Templates(env=env)


def compile_all(env: Environment) -> int:
    """Compile every page template before the first request (production: about 1.3 s a process
    for ~220 templates). Compiled lazily, the first requests of a busy page each compiled it at
    once — twenty threads a process, 80 ms each for the cases list — and a page template with a
    syntax error now stops the server from starting instead of failing its page."""
    names = [name for name in env.list_templates() if name.endswith(".html")]
    for name in names:
        env.get_template(name)
    return len(names)


__all__ = ["TEMPLATES_DIR", "Assets", "brand_css_path", "build_templates"]
