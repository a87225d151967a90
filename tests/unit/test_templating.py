"""In production every template is compiled before the first request, so the first requests of
a busy page do not each compile it again, and a template that does not compile stops the server
from starting rather than failing its page."""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2 import DictLoader, Environment, TemplateSyntaxError

from hearth.settings import load_settings
from web.templating import Assets, build_templates, compile_all


def test_production_compiles_every_template_before_the_first_request(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "HEARTH_DATA_DIR": str(tmp_path),
            "HEARTH_MODE": "production",
            "DATABASE_URL": "postgresql://u@h/d",
            "SECRET_KEY": "k" * 40,
            "COUNCIL_NAME": "Templating Test Council",  # its own templates, not another test's
        }
    )
    env = build_templates(settings, Assets(settings.static_dir)).env
    pages = [name for name in env.list_templates() if name.endswith(".html")]
    assert "backoffice/lists/cases.html" in pages and len(pages) > 200
    assert env.cache is not None and len(env.cache) == len(pages)  # all of them, none evicted
    compiled = env.cache.values()
    assert all(env.get_template(name) in compiled for name in pages)  # the same, not again


def test_a_template_that_does_not_compile_is_found_at_once() -> None:
    env = Environment(
        loader=DictLoader({"good.html": "{{ a }}", "bad.html": "{% if %}"}), autoescape=True
    )
    with pytest.raises(TemplateSyntaxError):
        compile_all(env)


def test_a_forms_csrf_field_comes_from_the_pages_token_without_an_import(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "HEARTH_DATA_DIR": str(tmp_path),
            "HEARTH_MODE": "embedded",
            "COUNCIL_NAME": "Templating CSRF Council",
        }
    )
    env = build_templates(settings, Assets(settings.static_dir)).env
    form = env.from_string("<form>{{ csrf() }}</form>")
    assert form.render(csrf_token='a"b<') == (
        '<form><input type="hidden" name="csrf_token" value="a&#34;b&lt;"></form>'
    )
    with pytest.raises(RuntimeError, match="csrf_token"):  # a page that forgot it is loud
        form.render()
