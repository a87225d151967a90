"""Configuration errors name the variable and say how to fix it."""

from __future__ import annotations

from pathlib import Path

import pytest

from hearth.settings import SettingsError, load_settings


def env(tmp_path: Path, **values: str) -> dict[str, str]:
    return {"HEARTH_DATA_DIR": str(tmp_path), **values}


def test_embedded_default_uses_sqlite_in_the_data_folder_and_keeps_a_generated_secret(
    tmp_path: Path,
) -> None:
    first = load_settings(env(tmp_path))
    second = load_settings(env(tmp_path))
    assert first.database_url == f"sqlite:///{tmp_path / 'hearth.db'}"
    assert first.embedded
    assert len(first.secret_key) >= 32
    assert first.secret_key == second.secret_key
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_production_needs_a_secret(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="SECRET_KEY is required"):
        load_settings(env(tmp_path, HEARTH_MODE="production", DATABASE_URL="postgresql://u@h/db"))


def test_production_needs_a_database_url(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="DATABASE_URL is required"):
        load_settings(env(tmp_path, HEARTH_MODE="production", SECRET_KEY="x" * 40))


def test_short_secret_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="at least 32 characters"):
        load_settings(env(tmp_path, SECRET_KEY="short"))


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "is not a database URL"),
        ("mysql://root@localhost/hearth", "runs on sqlite or postgresql"),
        ("postgresql+asyncpg://u@h/db", "must use the psycopg driver"),
    ],
)
def test_bad_database_url(tmp_path: Path, url: str, message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        load_settings(env(tmp_path, DATABASE_URL=url))


def test_plain_postgresql_url_gets_the_psycopg_driver(tmp_path: Path) -> None:
    settings = load_settings(env(tmp_path, DATABASE_URL="postgresql://app:pw@db:5432/hearth"))
    assert settings.database_url == "postgresql+psycopg://app:pw@db:5432/hearth"


@pytest.mark.parametrize(
    ("colour", "message"),
    [("blue", "must be a colour like"), ("#ffdd00", "too light"), ("#1d4f9", "must be a colour")],
)
def test_council_colour_must_be_hex_and_dark_enough_for_white_text(
    tmp_path: Path, colour: str, message: str
) -> None:
    with pytest.raises(SettingsError, match=message):
        load_settings(env(tmp_path, COUNCIL_COLOUR=colour))


def test_bad_numbers_and_booleans_name_the_variable(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="PORT must be a whole number"):
        load_settings(env(tmp_path, PORT="eighty"))
    with pytest.raises(SettingsError, match="RUN_JOBS_IN_WEB must be true or false"):
        load_settings(env(tmp_path, RUN_JOBS_IN_WEB="sometimes"))
    with pytest.raises(SettingsError, match="HEARTH_MODE must be one of"):
        load_settings(env(tmp_path, HEARTH_MODE="staging"))


def test_jobs_run_in_the_web_process_only_by_default_when_embedded(tmp_path: Path) -> None:
    assert load_settings(env(tmp_path)).run_jobs_in_web is True
    production = load_settings(
        env(
            tmp_path,
            HEARTH_MODE="production",
            DATABASE_URL="postgresql://u@h/d",
            SECRET_KEY="k" * 40,
        )
    )
    assert production.run_jobs_in_web is False


NOTIFY_KEY = "hearth_live-26785a09-ab16-4eb0-8407-a37497a57506-3d844edf-8d35-48ac-975b-e847b4f122b0"
TEMPLATE = "6d3c1a52-1c1e-4f5e-9a55-0c3c1a5e0001"


def test_notify_needs_a_real_key_and_template_ids_and_hides_the_key(tmp_path: Path) -> None:
    settings = load_settings(
        env(tmp_path, NOTIFY_API_KEY=NOTIFY_KEY, NOTIFY_SMS_TEMPLATE_ID=TEMPLATE)
    )
    assert settings.notify_sms and not settings.notify_email
    assert settings.notify_base_url == "https://api.notifications.service.gov.uk"
    assert NOTIFY_KEY not in repr(settings)
    assert not load_settings(env(tmp_path)).notify_sms
    with pytest.raises(SettingsError, match="NOTIFY_API_KEY must be a GOV\\.UK Notify API key"):
        load_settings(env(tmp_path, NOTIFY_API_KEY="secret", NOTIFY_SMS_TEMPLATE_ID=TEMPLATE))
    with pytest.raises(SettingsError, match="also set NOTIFY_SMS_TEMPLATE_ID"):
        load_settings(env(tmp_path, NOTIFY_API_KEY=NOTIFY_KEY))
    with pytest.raises(SettingsError, match="NOTIFY_EMAIL_TEMPLATE_ID must be a Notify template"):
        load_settings(env(tmp_path, NOTIFY_API_KEY=NOTIFY_KEY, NOTIFY_EMAIL_TEMPLATE_ID="welcome"))
    with pytest.raises(SettingsError, match="NOTIFY_SMS_TEMPLATE_ID is set but NOTIFY_API_KEY"):
        load_settings(env(tmp_path, NOTIFY_SMS_TEMPLATE_ID=TEMPLATE))
