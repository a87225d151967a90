"""Configuration from environment variables.

Every variable is documented in README.md. Settings are read once at start-up into an immutable
object; a bad value stops the process with a message that names the variable.
"""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
import shutil
from collections.abc import Mapping
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from web.settings import PROJECT_ROOT, OIDCConfig, Settings

MODES = ("embedded", "production")
_HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


class SettingsError(Exception):
    """A configuration value is missing or wrong; the message says which and how to fix it."""


def _contrast_with_white(hex_colour: str) -> float:
    """WCAG contrast ratio of white text on the given colour."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    luminance = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    return 1.05 / (luminance + 0.05)


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{name} must be true or false, not {raw!r}")


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, not {value}")
    return value


def _phone(env: Mapping[str, str], name: str, default: str) -> str:
    value = " ".join((env.get(name) or default).split())
    digits = sum(c.isdigit() for c in value)
    if not re.fullmatch(r"\+?[0-9 ()-]+", value) or not 3 <= digits <= 15:
        raise SettingsError(f"{name} must be a telephone number, like 020 7946 0000, not {value!r}")
    return value


def _addresses(env: Mapping[str, str], name: str) -> str:
    """A comma-separated list of IP addresses or networks (or "*"), checked."""
    raw = (env.get(name) or "").strip()
    if not raw or raw == "*":
        return raw
    items = [item.strip() for item in raw.split(",") if item.strip()]
    for item in items:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise SettingsError(
                f"{name} must list IP addresses or networks, like 10.0.0.5,10.1.0.0/16; "
                f"{item!r} is not one"
            ) from None
    return ",".join(items)


def check_database_url(url: str) -> str:
    """Return the URL if SQLAlchemy can use it, else raise SettingsError with a hint."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise SettingsError(
            f"DATABASE_URL {url!r} is not a database URL. Use e.g. "
            "sqlite:///var/hearth.db or postgresql+psycopg://user@host:5432/hearth"
        ) from None
    if parsed.get_backend_name() not in {"sqlite", "postgresql"}:
        raise SettingsError(
            f"DATABASE_URL uses {parsed.get_backend_name()!r}; Hearth runs on sqlite or postgresql"
        )
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        elif parsed.get_driver_name() != "psycopg":
            raise SettingsError("DATABASE_URL for PostgreSQL must use the psycopg driver")
        return parsed.render_as_string(hide_password=False)
    return url


def _embedded_secret(data_dir: Path) -> str:
    """In the embedded default, keep a random secret in the data folder across restarts."""
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


def _oidc(env: Mapping[str, str], prefix: str, label: str) -> OIDCConfig | None:
    issuer = env.get(f"{prefix}ISSUER", "").strip().rstrip("/")
    client_id = env.get(f"{prefix}CLIENT_ID", "").strip()
    secret = env.get(f"{prefix}CLIENT_SECRET", "")
    given = [
        name
        for name, value in (("ISSUER", issuer), ("CLIENT_ID", client_id), ("CLIENT_SECRET", secret))
        if value
    ]
    if not given:
        return None
    missing = [f"{prefix}{n}" for n in ("ISSUER", "CLIENT_ID", "CLIENT_SECRET") if n not in given]
    if missing:
        raise SettingsError(f"OpenID Connect is half configured: also set {', '.join(missing)}")
    if not issuer.startswith(("https://", "http://127.0.0.1", "http://localhost")):
        raise SettingsError(f"{prefix}ISSUER must be an https:// address, not {issuer!r}")
    return OIDCConfig(issuer, client_id, secret, env.get(f"{prefix}LABEL", "").strip() or label)


_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def _notify(env: Mapping[str, str]) -> dict[str, str]:
    """GOV.UK Notify: an API key (`{name}-{service id}-{secret}`), where the API is, and the
    ids of the pass-through templates (with ((subject)) and ((body)) personalisation)."""
    key = (env.get("NOTIFY_API_KEY") or "").strip()
    base_url = (env.get("NOTIFY_BASE_URL") or "").strip().rstrip("/")
    sms = (env.get("NOTIFY_SMS_TEMPLATE_ID") or "").strip().lower()
    email = (env.get("NOTIFY_EMAIL_TEMPLATE_ID") or "").strip().lower()
    if key and not (len(key) >= 74 and _UUID.match(key[-73:-37]) and _UUID.match(key[-36:])):
        raise SettingsError(
            "NOTIFY_API_KEY must be a GOV.UK Notify API key: a name, then the service id and "
            "the secret key (two UUIDs), joined by hyphens"
        )
    for name, value in (("NOTIFY_SMS_TEMPLATE_ID", sms), ("NOTIFY_EMAIL_TEMPLATE_ID", email)):
        if value and not _UUID.match(value):
            raise SettingsError(f"{name} must be a Notify template id (a UUID), not {value!r}")
        if value and not key:
            raise SettingsError(f"{name} is set but NOTIFY_API_KEY is not")
    if key and not (sms or email):
        raise SettingsError(
            "NOTIFY_API_KEY is set: also set NOTIFY_SMS_TEMPLATE_ID (and NOTIFY_EMAIL_TEMPLATE_ID "
            "to send emails through Notify)"
        )
    if base_url and not base_url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
        raise SettingsError(f"NOTIFY_BASE_URL must be an https:// address, not {base_url!r}")
    return {
        "notify_api_key": key,
        "notify_base_url": base_url or "https://api.notifications.service.gov.uk",
        "notify_sms_template_id": sms,
        "notify_email_template_id": email,
    }


def _converter(env: Mapping[str, str]) -> str:
    """LETTER_PDF_CONVERTER: LibreOffice's `soffice` (a path, or a name on PATH)."""
    value = env.get("LETTER_PDF_CONVERTER", "").strip()
    if not value:
        return ""
    found = shutil.which(value)
    if found is None:
        raise SettingsError(
            f"LETTER_PDF_CONVERTER {value!r} is not a program here: install LibreOffice "
            "(e.g. apt-get install libreoffice-writer-nogui) and give the path of soffice"
        )
    return found


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    mode = env.get("HEARTH_MODE", "embedded").strip().lower() or "embedded"
    if mode not in MODES:
        raise SettingsError(f"HEARTH_MODE must be one of {', '.join(MODES)}, not {mode!r}")
    data_dir = Path(env.get("HEARTH_DATA_DIR") or PROJECT_ROOT / "var").resolve()
    default_db = f"sqlite:///{data_dir / 'hearth.db'}"
    raw_url = env.get("DATABASE_URL") or ""
    if not raw_url:
        if mode == "production":
            raise SettingsError("DATABASE_URL is required when HEARTH_MODE=production")
        raw_url = default_db
    database_url = check_database_url(raw_url)
    secret = env.get("SECRET_KEY", "")
    if not secret:
        if mode == "production":
            raise SettingsError(
                "SECRET_KEY is required when HEARTH_MODE=production: set it to a long random "
                'value, e.g. python -c "import secrets; print(secrets.token_urlsafe(48))"'
            )
        secret = _embedded_secret(data_dir)
    elif len(secret) < 32:
        raise SettingsError("SECRET_KEY must be at least 32 characters long")
    colour = env.get("COUNCIL_COLOUR", "#1d4f91").strip()
    if not _HEX_COLOUR.match(colour):
        raise SettingsError(f"COUNCIL_COLOUR must be a colour like #1d4f91, not {colour!r}")
    if _contrast_with_white(colour) < 4.5:
        raise SettingsError(
            f"COUNCIL_COLOUR {colour} is too light: white text on it would fail WCAG contrast "
            f"(ratio {_contrast_with_white(colour):.1f}, needs 4.5). Choose a darker colour."
        )
    port = _int(env, "PORT", 8000, minimum=1)
    host = env.get("HOST", "127.0.0.1")
    return Settings(
        mode=mode,
        database_url=database_url,
        secret_key=secret,
        council_name=env.get("COUNCIL_NAME", "Northbridge Borough Council").strip(),
        council_colour=colour.lower(),
        service_name=env.get("SERVICE_NAME", "Housing options").strip(),
        council_phone=_phone(env, "COUNCIL_PHONE", "020 7946 0000"),
        out_of_hours_phone=_phone(env, "COUNCIL_OUT_OF_HOURS_PHONE", "020 7946 0999"),
        base_url=(env.get("BASE_URL") or f"http://{host}:{port}").rstrip("/"),
        host=host,
        port=port,
        data_dir=data_dir,
        static_dir=Path(env.get("HEARTH_STATIC_DIR") or PROJECT_ROOT / "static").resolve(),
        log_level=env.get("LOG_LEVEL", "INFO").upper(),
        run_jobs_in_web=_bool(env, "RUN_JOBS_IN_WEB", mode == "embedded"),
        session_idle_minutes=_int(env, "SESSION_IDLE_MINUTES", 60, minimum=1),
        smtp_host=env.get("SMTP_HOST", ""),
        smtp_port=_int(env, "SMTP_PORT", 25, minimum=1),
        smtp_username=env.get("SMTP_USERNAME", ""),
        smtp_password=env.get("SMTP_PASSWORD", ""),
        smtp_starttls=_bool(env, "SMTP_STARTTLS", False),
        mail_from=env.get("MAIL_FROM", "housing@northbridge.example"),
        **_notify(env),
        max_upload_mb=_int(env, "MAX_UPLOAD_MB", 10, minimum=1),
        s3_bucket=env.get("S3_BUCKET", "").strip(),
        s3_prefix=env.get("S3_PREFIX", "").strip(),
        s3_endpoint_url=env.get("S3_ENDPOINT_URL", "").strip(),
        s3_region=env.get("S3_REGION", "").strip(),
        letter_pdf_converter=_converter(env),
        export_keep_hours=_int(env, "EXPORT_KEEP_HOURS", 48, minimum=1),
        activity_keep_days=_int(env, "ACTIVITY_KEEP_DAYS", 730, minimum=1),
        activity_batch_seconds=_int(env, "ACTIVITY_BATCH_SECONDS", 2, minimum=0),
        database_pool_size=_int(env, "DATABASE_POOL_SIZE", 20, minimum=1),
        forwarded_allow_ips=_addresses(env, "FORWARDED_ALLOW_IPS"),
        query_count_header=_bool(env, "HEARTH_QUERY_COUNT_HEADER", False),
        officer_oidc=_oidc(env, "OIDC_", "your council account"),
        applicant_oidc=_oidc(env, "APPLICANT_OIDC_", "another account"),
    )
