"""A PDF of every generated letter when a converter is configured: the worker's job runs the real
LibreOffice (`soffice`, installed by `make test` from Debian's packages) on the Word letter read
from the file store — the folder and the S3-speaking server — keeps the PDF beside it, and the
merged words are in it. Without a converter no job is queued; a bad setting stops the start."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from domain import files, letters
from domain.history import Actor
from domain.message_templates import Council
from domain.models import Job
from domain.pending import EvidenceFile
from domain.storage import read_all
from hearth.settings import SettingsError
from hearth.worker import Worker
from tests.conftest import make_settings
from tests.support.factories import make_case, make_officer, make_person
from tests.web.test_letters import OFFER
from web.storage import store_for

COUNCIL = Council(name="Testshire District Council", phone="01632 960000", service="Housing")


def _generate(committed: sessionmaker[Session], settings: object, *, make_pdf: bool) -> int:
    store = store_for(settings)  # type: ignore[arg-type]
    with committed.begin() as db:
        amira = make_person(db, "Amira", "Khan")
        case = make_case(db, amira)
        officer = make_officer(db, name="Rina Patel")
        actor = Actor.officer(officer)
        template = letters.save_template(
            db,
            store,
            actor,
            officer,
            template=None,
            name="Review outcome",
            description="",
            upload=files.Upload.of("offer.docx", OFFER),
        )
        letter = letters.generate(
            db,
            store,
            actor,
            officer,
            case,
            template_id=template.id,
            person_id=amira.id,
            strand_id=None,
            council=COUNCIL,
            make_pdf=make_pdf,
        )
        return letter.id


def test_the_worker_makes_a_pdf_of_a_generated_letter_with_libreoffice(
    committed: sessionmaker[Session], tmp_path: Path, store_env: dict[str, str]
) -> None:
    url = committed.kw["bind"].url.render_as_string(hide_password=False)
    settings = make_settings(url, tmp_path, LETTER_PDF_CONVERTER="soffice", **store_env)
    letter_id = _generate(committed, settings, make_pdf=True)
    Worker(committed, settings, name="test").run_until_idle()

    with committed() as db:
        letter = db.get(EvidenceFile, letter_id)
        assert letter is not None and letter.pdf_id is not None
        pdf = db.get(EvidenceFile, letter.pdf_id)
        assert pdf is not None
        assert (pdf.source, pdf.content_type, pdf.case_id, pdf.person_id) == (
            "letter",
            "application/pdf",
            letter.case_id,
            letter.person_id,
        )
        assert pdf.original_name == letter.original_name.removesuffix(".docx") + ".pdf"
        content = read_all(store_for(settings), pdf.storage_key)
        job = db.scalars(select(Job).where(Job.kind == letters.PDF_JOB)).one()
        assert job.status == "done"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert "Dear Amira Khan," in text and "Yours sincerely, Rina Patel" in text
    assert "Testshire District Council" in text  # the header, merged too


def test_without_a_converter_no_pdf_is_queued(
    committed: sessionmaker[Session], tmp_path: Path
) -> None:
    url = committed.kw["bind"].url.render_as_string(hide_password=False)
    settings = make_settings(url, tmp_path)
    assert settings.letter_pdf_converter == ""
    _generate(committed, settings, make_pdf=bool(settings.letter_pdf_converter))
    with committed() as db:
        assert db.scalar(select(func.count(Job.id)).where(Job.kind == letters.PDF_JOB)) == 0
    with pytest.raises(SettingsError, match="LETTER_PDF_CONVERTER 'no-such-office'"):
        make_settings(url, tmp_path, LETTER_PDF_CONVERTER="no-such-office")
