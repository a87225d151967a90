"""Strand types as data: each type is one definition — name, reference prefix, cardinality,
statuses and the moves between them (or a named workflow), fields, and the key facts the case
dashboard shows.

Where definitions live:

- The ten types the product ships are TOML files in ``domain/strands/definitions/`` (one a
  type, reviewed and versioned with the code that relies on them: the bedroom assessment's
  calculation, the homeless referral's workflow).
- A council adds its own generic types as rows an administrator edits in the back office
  (:mod:`domain.strands.council_types`), in the same TOML form, without code or a deploy.

Both are read by :func:`from_definition`, which refuses a bad definition with a message naming
the type and the field. The registry :data:`STRAND_TYPES` holds the shipped types and the
council's (kept in step with the database by :func:`domain.strands.council_types.sync`).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from domain.errors import RuleBroken
from domain.strands.fields import FieldDef, check_references, field_from_data
from domain.strands.task_templates import TaskTemplate, tasks_from_data

ONE_OPEN_PER_CASE = "one_open_per_case"
ONE_CURRENT_PER_PRIMARY_APPLICANT = "one_current_per_primary_applicant"
MANY = "many"
CARDINALITIES = (ONE_OPEN_PER_CASE, ONE_CURRENT_PER_PRIMARY_APPLICANT, MANY)
CARDINALITY_WORDS = {
    ONE_OPEN_PER_CASE: "one open at a time on a case",
    ONE_CURRENT_PER_PRIMARY_APPLICANT: "one current across the primary applicant's active cases",
    MANY: "any number on a case",
}

HOUSING_REGISTER = "housing_register"
BEDROOM_ASSESSMENT = "bedroom_assessment"
HOMELESS_APPLICATION = "homeless_application"
HOMELESS_LEGACY_APPLICATION = "homeless_legacy_application"
HEALTH_ASSESSMENT = "health_assessment"
RISK_ASSESSMENT = "risk_assessment"
REVIEW = "review"
HOMELESS_REFERRAL = "homeless_referral"
FINANCIAL_ASSISTANCE = "financial_assistance"
ROUGH_SLEEPER = "rough_sleeper"

# Every type can be closed because its strand moved to another case (SPEC C7); a type may word
# it its own way (the homeless application: "Closed (moved to another case)").
CLOSED_MOVED = "Closed (moved)"

BUILT_IN = "built-in"
COUNCIL = "council"

_CODE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
_PREFIX = re.compile(r"^[A-Z]{2,4}$")
DEFINITIONS = Path(__file__).parent / "definitions"
_TOP_LEVEL = {
    "code",
    "name",
    "prefix",
    "description",
    "cardinality",
    "also_opens",
    "on_open",
    "workflow",
    "moved_status",
    "statuses",
    "moves",
    "fields",
    "key_facts",
    "public_facts",
    "tasks",
}
FOLLOW_MAX = 300  # a status's "what happens next" and "what we need from you"


@dataclass(frozen=True)
class StrandStatus:
    """One status of a strand type; `is_open` says whether a strand in it counts as open;
    `public` is what the applicant is told (the label itself when it is already plain); `next`
    what happens next and `needed` what we need from them, in plain words, when there is
    something to say (shown on the portal)."""

    label: str
    is_open: bool
    public: str | None = None
    next: str | None = None
    needed: str | None = None

    @property
    def public_text(self) -> str:
        return self.public or self.label


@dataclass(frozen=True)
class StrandType:
    """A kind of application or assessment. The first open status is where a new strand
    starts. `moves` maps a status to those it may move to (None: any other status); a type with
    a `workflow` moves only as that workflow says. `also_opens` lists types opened on the case
    alongside this one when the case has none open."""

    code: str
    name: str
    prefix: str
    cardinality: str
    statuses: tuple[StrandStatus, ...]
    also_opens: tuple[str, ...] = ()
    # What to do when a strand of the type opens, as "module:function" — called with
    # (session, actor, strand, opened_with, on). Named, not imported, so this module needs
    # nothing from the modules that build on it (the bedroom assessment's first calculation).
    on_open: str | None = None
    workflow: str | None = None
    moved_status: str = CLOSED_MOVED
    fields: tuple[FieldDef, ...] = ()
    key_facts: tuple[str, ...] = ()
    # The fields the applicant is shown on the portal, when recorded (a decision, its reason, a
    # band); the others are for officers.
    public_facts: tuple[str, ...] = ()
    moves: Mapping[str, tuple[str, ...]] | None = None
    description: str = ""
    source: str = BUILT_IN
    tasks: tuple[TaskTemplate, ...] = ()

    def __post_init__(self) -> None:
        if not _CODE.match(self.code):
            raise ValueError(f"Strand type code {self.code!r} must be lower_snake_case")
        if not self.name.strip() or len(self.name) > 80:
            raise ValueError(f"Strand type {self.code!r} needs a name of 1 to 80 characters")
        if not _PREFIX.match(self.prefix):
            raise ValueError(
                f"Strand type {self.code!r}: prefix {self.prefix!r} must be 2-4 capitals"
            )
        if self.prefix in ("HC", "PN"):
            raise ValueError(
                f"Strand type {self.code!r}: prefix {self.prefix!r} is used by cases or people"
            )
        if self.cardinality not in CARDINALITIES:
            raise ValueError(
                f"Strand type {self.code!r}: unknown cardinality rule {self.cardinality!r} "
                f"(one of {', '.join(CARDINALITIES)})"
            )
        labels = [status.label for status in self.statuses]
        if len(set(labels)) != len(labels):
            raise ValueError(f"Strand type {self.code!r} lists a status twice")
        if not any(status.is_open for status in self.statuses):
            raise ValueError(f"Strand type {self.code!r} needs at least one open status")
        if any(not label.strip() or len(label) > 60 for label in labels):
            raise ValueError(f"Strand type {self.code!r}: status labels are 1 to 60 characters")
        moved = next((s for s in self.statuses if s.label == self.moved_status), None)
        if moved is None or moved.is_open:
            raise ValueError(
                f"Strand type {self.code!r}: {self.moved_status!r} must be a closed status"
            )
        if not any(not s.is_open and s.label != self.moved_status for s in self.statuses):
            raise ValueError(
                f"Strand type {self.code!r} needs at least one closed status besides "
                f"{self.moved_status!r}"
            )
        names = {f.name for f in self.fields}
        for fact in self.key_facts:
            if fact not in names:
                raise ValueError(
                    f"Strand type {self.code!r}: key fact {fact!r} is not a field of the type"
                )
        for fact in self.public_facts:
            if fact not in names:
                raise ValueError(
                    f"Strand type {self.code!r}: public fact {fact!r} is not a field of the type"
                )
        if self.moves is not None:
            for start, targets in self.moves.items():
                for status in (start, *targets):
                    if status not in labels:
                        raise ValueError(
                            f"Strand type {self.code!r}: moves name {status!r}, "
                            "not a status of the type"
                        )
                if self.moved_status in targets:
                    raise ValueError(
                        f"Strand type {self.code!r}: {self.moved_status!r} is set by moving "
                        "the strand to another case, not by a status move"
                    )

    @property
    def initial_status(self) -> str:
        return next(status.label for status in self.statuses if status.is_open)

    @property
    def open_statuses(self) -> tuple[str, ...]:
        return tuple(status.label for status in self.statuses if status.is_open)

    @property
    def closed_statuses(self) -> tuple[str, ...]:
        return tuple(status.label for status in self.statuses if not status.is_open)

    @property
    def rule_words(self) -> str:
        return CARDINALITY_WORDS[self.cardinality]

    @property
    def editable_fields(self) -> tuple[FieldDef, ...]:
        return tuple(f for f in self.fields if f.editable)

    def status(self, label: str) -> StrandStatus:
        for status in self.statuses:
            if status.label == label:
                return status
        raise RuleBroken(f"{label!r} is not a status of a {self.name}")

    def field(self, name: str) -> FieldDef:
        for field in self.fields:
            if field.name == name:
                return field
        raise RuleBroken(f"{name!r} is not a field of a {self.name}")

    def moves_from(self, status: str) -> tuple[str, ...]:
        """The statuses a strand at `status` may move to (never the moved status)."""
        if self.moves is not None:
            return self.moves.get(status, ())
        return tuple(s.label for s in self.statuses if s.label not in (status, self.moved_status))


# --------------------------------------------------------------------------------------------
# Reading a definition
# --------------------------------------------------------------------------------------------


def from_definition(data: Mapping[str, Any], *, source: str = BUILT_IN) -> StrandType:
    """A type from its definition (parsed TOML), or ValueError naming the type and the field.

    A council's type (`source="council"`) cannot name code to run (`on_open`) or a workflow:
    those come with the product.
    """
    code = data.get("code")
    if not isinstance(code, str) or not _CODE.match(code):
        raise ValueError(
            f"Strand type code {code!r} must be lower_snake_case: a letter, then 1 to 39 "
            "letters, digits or _"
        )
    unknown = sorted(set(data) - _TOP_LEVEL)
    if unknown:
        raise ValueError(f"Strand type {code!r}: unknown setting {unknown[0]!r}")
    if source != BUILT_IN:
        for setting in ("on_open", "workflow"):
            if setting in data:
                raise ValueError(
                    f"Strand type {code!r}: {setting!r} is for the product's own types only"
                )
    for setting in ("name", "prefix"):
        if not isinstance(data.get(setting), str):
            raise ValueError(f"Strand type {code!r} is missing its {setting}")
    statuses = _statuses(code, data.get("statuses"))
    moved_status = data.get("moved_status", CLOSED_MOVED)
    if not isinstance(moved_status, str):
        raise ValueError(f"Strand type {code!r}: moved_status must be a status label")
    if moved_status not in {s.label for s in statuses}:
        statuses = (*statuses, StrandStatus(moved_status, False, "Moved to another case"))
    labels = {s.label for s in statuses}
    raw_fields = data.get("fields", [])
    if not isinstance(raw_fields, list) or not all(isinstance(f, Mapping) for f in raw_fields):
        raise ValueError(f"Strand type {code!r}: fields must be a list of [[fields]] tables")
    fields = tuple(field_from_data(code, f, labels) for f in raw_fields)
    check_references(code, fields)
    moves = data.get("moves")
    if moves is not None and (
        not isinstance(moves, Mapping)
        or not all(
            isinstance(v, list) and all(isinstance(s, str) for s in v) for v in moves.values()
        )
    ):
        raise ValueError(
            f'Strand type {code!r}: moves must map a status to a list, e.g. "Requested" = '
            '["In progress", "Cancelled"]'
        )
    key_facts = data.get("key_facts", [])
    public_facts = data.get("public_facts", [])
    also_opens = data.get("also_opens", [])
    for setting, value in (
        ("key_facts", key_facts),
        ("public_facts", public_facts),
        ("also_opens", also_opens),
    ):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"Strand type {code!r}: {setting} must be a list of names")
    description = data.get("description", "")
    if not isinstance(description, str) or len(description) > 500:
        raise ValueError(f"Strand type {code!r}: description must be 500 characters or fewer")
    return StrandType(
        code=code,
        name=str(data["name"]).strip(),
        prefix=str(data["prefix"]),
        cardinality=str(data.get("cardinality", MANY)),
        statuses=statuses,
        also_opens=tuple(also_opens),
        on_open=data.get("on_open"),
        workflow=data.get("workflow"),
        moved_status=moved_status,
        fields=fields,
        key_facts=tuple(key_facts),
        public_facts=tuple(public_facts),
        moves=None if moves is None else {k: tuple(v) for k, v in moves.items()},
        description=description.strip(),
        source=source,
        tasks=tasks_from_data(
            code,
            data.get("tasks"),
            [s.label for s in statuses],
            [f.name for f in fields if f.kind == "date"],
        ),
    )


def _statuses(code: str, raw: Any) -> tuple[StrandStatus, ...]:
    if not isinstance(raw, list) or not raw:
        raise ValueError(f"Strand type {code!r} needs a list of [[statuses]]")
    statuses = []
    for item in raw:
        if not isinstance(item, Mapping) or not isinstance(item.get("label"), str):
            raise ValueError(f"Strand type {code!r}: every status needs a label")
        label = item["label"]
        unknown = sorted(set(item) - {"label", "open", "public", "next", "needed"})
        if unknown:
            raise ValueError(f"Strand type {code!r}, status {label!r}: unknown {unknown[0]!r}")
        if not isinstance(item.get("open"), bool):
            raise ValueError(
                f"Strand type {code!r}, status {label!r}: say open = true or open = false"
            )
        public = item.get("public")
        if public is not None and (not isinstance(public, str) or len(public) > 120):
            raise ValueError(
                f"Strand type {code!r}, status {label!r}: public must be 120 characters or fewer"
            )
        follow = {}
        for key in ("next", "needed"):
            value = item.get(key)
            if value is not None and (
                not isinstance(value, str) or not value.strip() or len(value) > FOLLOW_MAX
            ):
                raise ValueError(
                    f"Strand type {code!r}, status {label!r}: {key} must be plain words, "
                    f"{FOLLOW_MAX} characters or fewer"
                )
            follow[key] = " ".join(value.split()) if value else None
        statuses.append(StrandStatus(label, item["open"], public, **follow))
    return tuple(statuses)


def parse_toml(text: str, *, source: str) -> StrandType:
    """A type from a TOML definition (ValueError says what is wrong, with the line for TOML
    that does not read)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"The definition is not valid TOML: {error}") from None
    return from_definition(data, source=source)


def _load_built_in() -> dict[str, StrandType]:
    found: dict[str, StrandType] = {}
    for path in sorted(DEFINITIONS.glob("*.toml")):
        stype = parse_toml(path.read_text(encoding="utf-8"), source=BUILT_IN)
        if path.stem != stype.code:
            raise ValueError(f"{path.name} defines {stype.code!r}: name the file after the code")
        found[stype.code] = stype
    check_registry(found)
    return found


def check_registry(types: Mapping[str, StrandType]) -> None:
    prefixes: dict[str, str] = {}
    for stype in types.values():
        if stype.prefix in prefixes:
            raise ValueError(
                f"Strand type {stype.code!r}: the reference prefix {stype.prefix!r} is already "
                f"used by {prefixes[stype.prefix]!r}"
            )
        prefixes[stype.prefix] = stype.code
        unknown = [code for code in stype.also_opens if code not in types]
        if unknown:
            raise ValueError(f"Strand type {stype.code!r} opens unknown types {unknown}")


STRAND_TYPES: dict[str, StrandType] = _load_built_in()
BUILT_IN_CODES = frozenset(STRAND_TYPES)


def register_strand_type(strand_type: StrandType) -> StrandType:
    """Add a type to the registry (a council's, read from the database)."""
    if strand_type.code in STRAND_TYPES:
        raise ValueError(f"There is already a strand type {strand_type.code!r}")
    check_registry({**STRAND_TYPES, strand_type.code: strand_type})
    STRAND_TYPES[strand_type.code] = strand_type
    return strand_type


def replace_council_types(types: list[StrandType]) -> None:
    """Make the council's types exactly `types` (checked together with the shipped ones)."""
    registry = {code: t for code, t in STRAND_TYPES.items() if code in BUILT_IN_CODES}
    for stype in types:
        if stype.code in registry:
            raise ValueError(f"There is already a strand type {stype.code!r}")
        registry[stype.code] = stype
    check_registry(registry)
    STRAND_TYPES.clear()
    STRAND_TYPES.update(registry)


def strand_type(code: str) -> StrandType:
    try:
        return STRAND_TYPES[code]
    except KeyError:
        raise RuleBroken(f"{code!r} is not a kind of application or assessment") from None
