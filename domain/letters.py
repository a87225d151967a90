"""Letters from Word templates (SPEC N2, N3): a council uploads a .docx with merge fields written
as `{{ person.full_name }}` (the same documented fields as messages, see
`domain.message_templates.MERGE_FIELDS`), and officers generate a letter from a case for someone
in its household. The letter is saved as a case file (source "letter") and listed on the Files
and Comms tabs; generating it writes history.

Templates are checked when uploaded: a Word document (by content), readable as a template, and
using only known merge fields — an unknown one is refused by name, so a template that saves
always generates. Merging runs in Jinja's sandbox with autoescaping (the text lands in the
document's XML) and strict undefined values.
"""

from __future__ import annotations

import io
import secrets
from collections.abc import Sequence
from typing import Any

from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment
from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from domain import files, history, jobs
from domain.base import Base, created_timestamp, intpk, timestamp, utcnow
from domain.errors import Conflict, FieldErrors, NotFound, RuleBroken
from domain.history import Actor
from domain.history_kinds import HistoryKind
from domain.message_templates import Council, fields_used, merge_data, unknown_fields
from domain.models import Case, CasePerson, Person, User
from domain.pending import EvidenceFile
from domain.storage import FileStore, read_all
from domain.strands import Strand

NAME_MAX = 100
DESCRIPTION_MAX = 300
TEMPLATE_MAX_BYTES = 5 * 1024 * 1024


class LetterTemplate(Base):
    """A Word document with merge fields; its bytes live in the file store."""

    __tablename__ = "letter_template"

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(NAME_MAX), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    original_name: Mapped[str] = mapped_column(String(255))
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[created_timestamp]
    updated_at: Mapped[timestamp]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    updated_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}


_env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=True)


def template_source(content: bytes) -> str:
    """The Jinja source a Word template holds (body, headers and footers), as docxtpl reads it."""
    tpl = DocxTemplate(io.BytesIO(content))
    document = Document(io.BytesIO(content))
    xml: str = tpl.patch_xml(tpl.xml_to_string(document.element.body))
    for rel in document.part.rels.values():
        if rel.reltype in (RT.HEADER, RT.FOOTER) and rel.target_part.blob:
            xml += tpl.patch_xml(tpl.xml_to_string(parse_xml(rel.target_part.blob)))
    return xml


def check_template(upload: files.Upload) -> list[str]:
    """The merge fields a template uses; FieldErrors on `file` saying what is wrong with it."""
    if upload.size == 0:
        raise FieldErrors({"file": f"{upload.name} is empty"})
    try:
        files.check(upload, TEMPLATE_MAX_BYTES, allowed=(files.DOCX,), field="file")
    except files.FileRefused as refused:
        if upload.size <= TEMPLATE_MAX_BYTES:
            raise FieldErrors({"file": f"{upload.name} must be a Word document (.docx)"}) from None
        raise FieldErrors({"file": str(refused)}) from None
    upload.file.seek(0)
    content = upload.file.read()
    upload.file.seek(0)
    try:
        source = template_source(content)
    except Exception:
        raise FieldErrors({"file": f"{upload.name} cannot be opened as a Word document"}) from None
    try:
        unknown = unknown_fields(source, what="file")
        used = fields_used(source, what="file")
    except RuleBroken as broken:
        raise FieldErrors({"file": str(broken).replace("The file", upload.name)}) from None
    if unknown:
        names = ", ".join(unknown)
        word = "field" if len(unknown) == 1 else "fields"
        raise FieldErrors({"file": f"Unknown merge {word}: {names}"})
    return used


def save_template(
    session: Session,
    store: FileStore,
    actor: Actor,
    officer: User,
    *,
    template: LetterTemplate | None,
    name: str,
    description: str,
    upload: files.Upload | None,
    expected_version: int | None = None,
) -> LetterTemplate:
    """Add a letter template, or change one's name, description or document."""
    errors: dict[str, str] = {}
    name = " ".join((name or "").split())
    description = (description or "").strip()
    if not name:
        errors["name"] = "Enter a name for the letter"
    elif len(name) > NAME_MAX:
        errors["name"] = f"Name must be {NAME_MAX} characters or fewer"
    else:
        clash = session.scalar(select(LetterTemplate.id).where(LetterTemplate.name == name))
        if clash is not None and (template is None or clash != template.id):
            errors["name"] = "A letter with this name already exists"
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = f"Description must be {DESCRIPTION_MAX} characters or fewer"
    used: list[str] | None = None
    if upload is None and template is None:
        errors["file"] = "Select the Word document to use"
    elif upload is not None:
        try:
            used = check_template(upload)
        except FieldErrors as bad:
            errors.update(bad.errors)
    if errors:
        raise FieldErrors(errors)
    if (
        template is not None
        and expected_version is not None
        and template.version != expected_version
    ):
        raise Conflict("Another officer has changed this letter since you opened it")
    before = _state(template) if template is not None else None
    if template is None:
        template = LetterTemplate(name=name)
        session.add(template)
    if upload is not None:
        key = secrets.token_hex(20)
        template.storage_key = key
        template.original_name = upload.name
        template.size = upload.size
        template.sha256 = upload.sha256()
        template.fields = used or []
        store.put(key, upload.file, content_type=files.DOCX)  # (S3's transfer may close it)
    template.name = name
    template.description = description or None
    template.updated_at = utcnow()
    template.updated_by_id = officer.id
    session.flush()
    history.record(
        session,
        actor,
        HistoryKind.LETTER_TEMPLATE_SAVED,
        f"Letter template “{name}” {'added' if before is None else 'changed'}",
        before=before,
        after=_state(template),
    )
    return template


def _state(template: LetterTemplate) -> dict[str, Any]:
    return {
        "letter_template": template.id,
        "name": template.name,
        "description": template.description,
        "document": template.original_name,
        "sha256": template.sha256,
    }


def templates(session: Session, *, active_only: bool = False) -> Sequence[LetterTemplate]:
    stmt = select(LetterTemplate).order_by(LetterTemplate.name)
    if active_only:
        stmt = stmt.where(LetterTemplate.active.is_(True))
    return session.scalars(stmt).all()


def get(session: Session, template_id: int) -> LetterTemplate:
    template = session.get(LetterTemplate, template_id)
    if template is None:
        raise NotFound("There is no such letter template")
    return template


def _file_name(template: LetterTemplate, case: Case, person: Person) -> str:
    stem = f"{template.name} - {person.full_name} - {case.reference}"
    return files.clean_name(stem.replace("/", "-"))[:190] + ".docx"


def generate(
    session: Session,
    store: FileStore,
    actor: Actor,
    officer: User,
    case: Case,
    *,
    template_id: int | None,
    person_id: int | None,
    strand_id: int | None,
    council: Council,
    make_pdf: bool = False,
) -> EvidenceFile:
    """Merge the template for someone in the household and keep the letter as a case file
    (and, with `make_pdf`, queue the job that makes its PDF)."""
    errors: dict[str, str] = {}
    template = session.get(LetterTemplate, template_id) if template_id else None
    if template is None or not template.active:
        errors["template"] = "Select a letter"
    link = (
        session.scalar(
            select(CasePerson).where(
                CasePerson.case_id == case.id, CasePerson.person_id == person_id
            )
        )
        if person_id
        else None
    )
    if link is None:
        errors["person"] = "Select who the letter is for"
    strand = session.get(Strand, strand_id) if strand_id else None
    if strand_id and (strand is None or strand.case_id != case.id):
        errors["strand"] = "Select an application or assessment on this case"
    if errors:
        raise FieldErrors(errors)
    assert template is not None and link is not None
    person = link.person
    data = merge_data(case, person, strand, officer, council)
    document = DocxTemplate(io.BytesIO(read_all(store, template.storage_key)))
    try:
        document.render(data, jinja_env=_env, autoescape=True)
    except TemplateError as error:
        if strand is None and any(f.startswith("strand.") for f in template.fields):
            raise FieldErrors(
                {"strand": "This letter uses details of an application or assessment: choose one"}
            ) from None
        raise RuleBroken(f"The letter cannot be merged: {error}", field="template") from None
    out = io.BytesIO()
    document.save(out)
    out.seek(0)
    record = files.put(
        session,
        store,
        files.Upload(_file_name(template, case, person), out),
        case_id=case.id,
        max_bytes=50 * 1024 * 1024,
        source="letter",
        allowed=(files.DOCX,),
        field="template",
        user_id=officer.id,
        person_id=person.id,
        strand_id=strand.id if strand is not None else None,
        category="Correspondence",
        description=template.name,
    )
    history.record(
        session,
        actor,
        HistoryKind.LETTER_GENERATED,
        f"Letter “{template.name}” for {person.full_name}",
        case_id=case.id,
        person_id=person.id,
        after={"file": record.id, "letter_template": template.id, "name": record.original_name},
    )
    if make_pdf:
        jobs.enqueue(session, PDF_JOB, {"file_id": record.id}, dedupe_key=f"{PDF_JOB}:{record.id}")
    return record


PDF_JOB = "letters.pdf"


def attach_pdf(
    session: Session, store: FileStore, letter: EvidenceFile, pdf: files.Upload
) -> EvidenceFile:
    """Keep the PDF made of a generated letter beside it (a case file of its own, linked from
    the letter), unless the letter already has one or was removed meanwhile."""
    if letter.source != "letter" or letter.content_type != files.DOCX:
        raise RuleBroken("Only a generated Word letter is made into a PDF", field="file")
    existing = session.get(EvidenceFile, letter.pdf_id) if letter.pdf_id else None
    if existing is not None:
        return existing
    stem = letter.original_name.removesuffix(".docx")
    record = files.put(
        session,
        store,
        files.Upload(f"{stem}.pdf", pdf.file),
        case_id=letter.case_id,
        max_bytes=50 * 1024 * 1024,
        source="letter",
        allowed=(files.PDF,),
        field="file",
        user_id=letter.uploaded_by_user_id,
        person_id=letter.person_id,
        strand_id=letter.strand_id,
        category=letter.category,
        description=letter.description,
    )
    letter.pdf_id = record.id
    return record


__all__ = [
    "PDF_JOB",
    "LetterTemplate",
    "attach_pdf",
    "check_template",
    "generate",
    "get",
    "save_template",
    "template_source",
    "templates",
]
