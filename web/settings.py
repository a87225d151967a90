"""The service's configuration as one immutable record, read by every request.

`hearth.settings.load_settings` builds it from environment variables (documented in README.md);
the web kit and the apps only read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class OIDCConfig:
    """An OpenID Connect provider registration (issuer, client id and secret)."""

    issuer: str
    client_id: str
    client_secret: str
    label: str = "your council account"

    @property
    def origin(self) -> str:
        parts = self.issuer.split("/")
        return "/".join(parts[:3])


@dataclass(frozen=True)
class Settings:
    mode: str = "embedded"
    database_url: str = ""
    secret_key: str = ""
    council_name: str = "Northbridge Borough Council"
    council_colour: str = "#1d4f91"
    service_name: str = "Housing options"
    council_phone: str = "020 7946 0000"
    out_of_hours_phone: str = "020 7946 0999"
    base_url: str = "http://127.0.0.1:8000"
    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path = field(default_factory=lambda: PROJECT_ROOT / "var")
    static_dir: Path = field(default_factory=lambda: PROJECT_ROOT / "static")
    log_level: str = "INFO"
    run_jobs_in_web: bool = True
    session_idle_minutes: int = 60
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    mail_from: str = "housing@northbridge.example"
    # GOV.UK Notify (hearth.notify): text messages, and emails too when an email template is set.
    notify_api_key: str = field(default="", repr=False)
    notify_base_url: str = "https://api.notifications.service.gov.uk"
    notify_sms_template_id: str = ""
    notify_email_template_id: str = ""
    max_upload_mb: int = 10
    # Files go to this S3-compatible bucket when it is set (else to the folder `files_dir`).
    s3_bucket: str = ""
    s3_prefix: str = ""
    s3_endpoint_url: str = ""
    s3_region: str = ""
    # LibreOffice's `soffice`, to make a PDF of every generated letter (empty: Word only).
    letter_pdf_converter: str = ""
    # How long an export (a list's spreadsheet, a case's zip) can be downloaded before it is
    # deleted.
    export_keep_hours: int = 48
    # The activity log (who opened what): kept this long, written in batches this often.
    activity_keep_days: int = 730
    activity_batch_seconds: float = 2.0
    # Database connections each web process keeps open (PostgreSQL). A request holds one for
    # its whole unit of work, so this is how many requests a process serves at once without
    # opening a new connection; beyond it, up to as many again are opened and closed per use.
    database_pool_size: int = 20
    forwarded_allow_ips: str = ""  # proxies whose X-Forwarded-* headers are believed
    query_count_header: bool = False  # X-Hearth-Queries on every response (the scale benchmark)
    officer_oidc: OIDCConfig | None = None
    applicant_oidc: OIDCConfig | None = None

    @property
    def embedded(self) -> bool:
        return self.mode == "embedded"

    @property
    def notify_sms(self) -> bool:
        """Text messages go through GOV.UK Notify (else to a folder when embedded)."""
        return bool(self.notify_api_key and self.notify_sms_template_id)

    @property
    def notify_email(self) -> bool:
        """Emails go through GOV.UK Notify rather than SMTP."""
        return bool(self.notify_api_key and self.notify_email_template_id)

    @property
    def files_dir(self) -> Path:
        """Where uploaded files live in the embedded default."""
        return self.data_dir / "files"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
