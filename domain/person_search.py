"""Finding people: one search box that understands a name, a date of birth, a case or person
reference, a phone number, an email address, a postcode or a National Insurance number.

Every kind of search reads an index: names by the words of `person.search_name` (on PostgreSQL
a full-text index of its words, and a trigram index for names with typos), the rest by their
own keys. Results
come a page at a time (keyset, by last name, first name and id), each with what tells two people
of the same name apart: date of birth, current address, and the cases they are on.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    String,
    and_,
    bindparam,
    func,
    literal_column,
    or_,
    select,
    text,
)
from sqlalchemy.orm import Session

from domain import paging
from domain.identity import (
    PHONE,
    name_words,
    normalise_ni_number,
    normalise_postcode,
    phone_key,
    search_name,
)
from domain.ids import MAX_ID
from domain.models import (
    CASE_REFERENCE_PREFIX,
    PERSON_REFERENCE_PREFIX,
    Address,
    Case,
    CasePerson,
    Person,
    parse_case_reference,
)
from domain.vocab import CaseStatus

MAX_SEARCH_LENGTH = 100
PAGE_SIZE = 25
# A search matching more people than this asks for more of the name or a date of birth rather
# than listing them: finding the matches stays cheap however common the name (the index gives
# the first few hundred; ordering 20,000 Smiths to show 25 of them would read every one).
MAX_MATCHES = 500
SIMILAR_LIMIT = 10
# How alike a name must be to be offered when nothing matches exactly (pg_trgm's word
# similarity: the share of the search's trigrams found in the closest part of the name).
SIMILARITY = 0.4

_DATE = re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\b")
_REFERENCE = re.compile(r"^\s*(hc|pn)[\s-]*0*(\d{1,12})\s*$", re.IGNORECASE)

ORDER = (
    paging.SortKey(Person.last_name, kind=str),
    paging.SortKey(Person.first_name, kind=str),
    paging.SortKey(Person.id),
)


@dataclass(frozen=True)
class PersonSearch:
    """What was typed, understood: at most one of the keys, or name words and a date of birth."""

    text: str = ""
    words: tuple[str, ...] = ()
    born: dt.date | None = None
    case_id: int | None = None
    person_id: int | None = None
    email: str | None = None
    phone: str | None = None
    postcode: str | None = None
    ni_number: str | None = None
    error: str | None = None

    @property
    def is_empty(self) -> bool:
        return not self.text

    @property
    def by_name(self) -> bool:
        return bool(self.words)

    @property
    def what(self) -> str:
        """What the search was taken to be, for the results' heading."""
        if self.case_id is not None:
            return "people on case"
        if self.person_id is not None:
            return "person reference"
        if self.email:
            return "email address"
        if self.phone:
            return "phone number"
        if self.postcode:
            return "current postcode"
        if self.ni_number:
            return "National Insurance number"
        if self.words and self.born:
            return "name and date of birth"
        return "date of birth" if self.born else "name"


def parse(raw: str | None) -> PersonSearch:
    text_ = " ".join((raw or "").split())
    if not text_:
        return PersonSearch()
    if len(text_) > MAX_SEARCH_LENGTH:
        return PersonSearch(
            text=text_[:MAX_SEARCH_LENGTH],
            error=f"Search must be {MAX_SEARCH_LENGTH} characters or fewer",
        )
    if "@" in text_:
        return PersonSearch(text=text_, email=text_.lower())
    reference = _REFERENCE.match(text_)
    if reference:
        number = int(reference.group(2))
        number = number if 0 < number <= MAX_ID else 0
        if reference.group(1).lower() == "hc":
            return PersonSearch(text=text_, case_id=parse_case_reference(text_) or number)
        return PersonSearch(text=text_, person_id=number)
    ni = normalise_ni_number(text_)
    if ni:
        return PersonSearch(text=text_, ni_number=ni)
    postcode = normalise_postcode(text_)
    if postcode:
        return PersonSearch(text=text_, postcode=postcode)
    digits = phone_key(text_) or ""
    if PHONE.match(text_) and len(digits) >= 10:
        return PersonSearch(text=text_, phone=digits)
    born: dt.date | None = None
    date = _DATE.search(text_)
    rest = text_
    if date:
        day, month, year = (int(part) for part in date.groups())
        try:
            born = dt.date(year, month, day)
        except ValueError:
            return PersonSearch(
                text=text_, error="Date of birth must be a real date, for example 27/03/1985"
            )
        rest = text_[: date.start()] + " " + text_[date.end() :]
    words = tuple(name_words(rest))
    if not words and born is None:
        return PersonSearch(
            text=text_,
            error="Enter a name, a date of birth like 27/03/1985, a reference, a phone number, "
            "an email address, a postcode or a National Insurance number",
        )
    return PersonSearch(text=text_, words=words, born=born)


# On PostgreSQL every start of every word of `search_name` is in a full-text index (migration
# 0024): "jon smi" asks for the lexemes "jon" and "smi". This is the indexed expression, word
# for word.
NAME_PREFIXES = func.to_tsvector(
    literal_column("'simple'::regconfig"), func.name_prefixes(Person.search_name)
)


def _name_matches(n_words: int, postgresql: bool) -> ColumnElement[bool]:
    """Every word starts a word of the name, in any order ("jon smi" finds Jonathan Smith):
    on PostgreSQL the parameter `words` is a text query of whole lexemes, each one of the
    indexed starts of words ("jon & smi"); elsewhere each word `w0`, `w1`… is a pattern pair
    (`_params`). Words are letters and digits only (`name_words`), so they are safe in a text
    query."""
    if postgresql:
        wanted = bindparam("words", type_=String)
        return NAME_PREFIXES.op("@@")(
            func.to_tsquery(literal_column("'simple'::regconfig"), wanted)
        )
    return and_(
        *(
            or_(
                Person.search_name.like(bindparam(f"w{n}")),
                Person.search_name.like(bindparam(f"w{n}_inner")),
            )
            for n in range(n_words)
        )
    )


def _shape(search: PersonSearch) -> tuple[Any, ...]:
    """What kind of search it is, which decides its statement (its values are parameters)."""
    for kind in ("case_id", "person_id", "email", "phone", "ni_number", "postcode"):
        if getattr(search, kind):
            return (kind,)
    return ("name", len(search.words), search.born is not None)


def _params(search: PersonSearch, postgresql: bool) -> dict[str, Any]:
    params: dict[str, Any] = {
        "case_id": search.case_id,
        "person_id": search.person_id,
        "email": search.email,
        "phone": search.phone,
        "ni_number": search.ni_number,
        "postcode": search.postcode,
        "born": search.born,
    }
    if postgresql:
        params["words"] = " & ".join(search.words)
    else:
        for n, word in enumerate(search.words):
            params[f"w{n}"], params[f"w{n}_inner"] = f"{word}%", f"% {word}%"
    return params


@functools.lru_cache(maxsize=64)
def _matches(shape: tuple[Any, ...], postgresql: bool) -> Any:
    """The sort keys of the people a search of this shape finds, at most `limit` of them:
    built once for each shape (building it cost the search page more than running it)."""
    kind = shape[0]
    if kind == "case_id":
        condition: ColumnElement[bool] = Person.id.in_(
            select(CasePerson.person_id).where(CasePerson.case_id == bindparam("case_id"))
        )
    elif kind == "person_id":
        condition = Person.id == bindparam("person_id")
    elif kind == "email":
        condition = Person.email == bindparam("email")
    elif kind == "phone":
        condition = Person.phone_key == bindparam("phone")
    elif kind == "ni_number":
        condition = Person.ni_number == bindparam("ni_number")
    elif kind == "postcode":
        condition = Person.id.in_(
            select(Address.person_id).where(
                Address.postcode == bindparam("postcode"), Address.date_to.is_(None)
            )
        )
    else:
        _, n_words, by_born = shape
        clauses = [_name_matches(n_words, postgresql)] if n_words else []
        if by_born:
            clauses.append(Person.date_of_birth == bindparam("born", type_=Date))
        condition = and_(*clauses)
    return (
        select(Person.last_name, Person.first_name, Person.id)
        .where(condition)
        .limit(bindparam("limit", type_=Integer))
    )


@dataclass(frozen=True)
class CaseLink:
    case_id: int
    reference: str
    status: str
    is_primary: bool
    current: bool  # still in the household (no date left, or one still to come)
    restricted: bool = False


@dataclass(frozen=True)
class PersonRow:
    person: Person
    address: Address | None
    cases: list[CaseLink] = field(default_factory=list)

    @property
    def active_cases(self) -> list[CaseLink]:
        return [c for c in self.cases if c.status == CaseStatus.ACTIVE.value and c.current]

    @property
    def other_cases(self) -> list[CaseLink]:
        active = self.active_cases
        return [c for c in self.cases if c not in active]


@dataclass(frozen=True)
class Results:
    rows: list[PersonRow]
    next_cursor: str | None
    similar: bool = False  # no exact match: these are names like the one searched for
    too_many: bool = False  # more than MAX_MATCHES match: none listed, narrow the search


def search(
    session: Session,
    query: PersonSearch,
    today: dt.date,
    *,
    after: str | None = None,
    size: int = PAGE_SIZE,
    max_matches: int = MAX_MATCHES,
) -> Results:
    """A page of the people matching `query`, with their current addresses and cases (four
    queries), or `too_many`. On PostgreSQL, a name that matches nobody brings the closest names
    instead."""
    if query.error or query.is_empty:
        return Results([], None)
    postgresql = _fuzzy(session)
    # The sort keys of at most MAX_MATCHES + 1 people, then the page's people by id: ordering a
    # few hundred names here costs less than reading those rows twice to have the database
    # order them. (Code point order, as the databases' binary collation orders UTF-8.)
    keys = session.execute(
        _matches(_shape(query), postgresql),
        {**_params(query, postgresql), "limit": max_matches + 1},
    ).all()
    if len(keys) > max_matches:
        return Results([], None, too_many=True)
    ordered = sorted(tuple(k) for k in keys)
    start = paging.decode(after, ORDER)
    if start is not None:
        ordered = [k for k in ordered if k > start]
    page_keys, more = ordered[:size], len(ordered) > size
    by_id = (
        {p.id: p for p in session.scalars(_PEOPLE, {"ids": [k[2] for k in page_keys]})}
        if page_keys
        else {}
    )
    people = [by_id[k[2]] for k in page_keys if k[2] in by_id]
    next_cursor = paging.encode(page_keys[-1]) if more and page_keys else None
    similar = False
    if not people and after is None and query.words and _fuzzy(session):
        people, similar = _similar(session, query), True
    return Results(_with_context(session, people, today), next_cursor, similar)


def _fuzzy(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _similar(session: Session, query: PersonSearch) -> list[Person]:
    """The names closest to the words searched for (pg_trgm, from the trigram index)."""
    wanted = " ".join(query.words)
    session.execute(text(f"SET LOCAL pg_trgm.word_similarity_threshold = {SIMILARITY}"))
    stmt = (
        select(Person)
        .where(Person.search_name.op("%>")(wanted))
        .order_by(func.word_similarity(wanted, Person.search_name).desc(), Person.id)
        .limit(SIMILAR_LIMIT)
    )
    if query.born is not None:
        stmt = stmt.where(Person.date_of_birth == query.born)
    return list(session.scalars(stmt))


# A page's people, their current addresses and their cases (built once).
_IDS: Any = bindparam("ids", expanding=True)
_PEOPLE = select(Person).where(Person.id.in_(_IDS))
_ADDRESSES = select(Address).where(Address.person_id.in_(_IDS), Address.date_to.is_(None))
_CASE_LINKS = (
    select(
        CasePerson.person_id,
        CasePerson.case_id,
        CasePerson.is_primary,
        CasePerson.date_left,
        Case.status,
        Case.restricted,
    )
    .join(Case, Case.id == CasePerson.case_id)
    .where(CasePerson.person_id.in_(_IDS))
    .order_by(CasePerson.person_id, Case.status, CasePerson.case_id.desc())
)


def _with_context(session: Session, people: list[Person], today: dt.date) -> list[PersonRow]:
    if not people:
        return []
    ids = [p.id for p in people]
    addresses = {a.person_id: a for a in session.scalars(_ADDRESSES, {"ids": ids})}
    links: dict[int, list[CaseLink]] = {i: [] for i in ids}
    rows = session.execute(_CASE_LINKS, {"ids": ids})
    for person_id, case_id, is_primary, date_left, status, is_restricted in rows:
        links[person_id].append(
            CaseLink(
                case_id=case_id,
                reference=f"{CASE_REFERENCE_PREFIX}{case_id:06d}",
                status=status,
                is_primary=is_primary,
                current=date_left is None or date_left > today,
                restricted=is_restricted,
            )
        )
    return [PersonRow(p, addresses.get(p.id), links[p.id]) for p in people]


def likely_duplicates(
    session: Session,
    *,
    first_name: str,
    last_name: str,
    date_of_birth: dt.date | None,
    ni_number: str | None,
    email: str | None,
    today: dt.date,
) -> list[PersonRow]:
    """People already recorded who may be the one about to be created: the same first and last
    name and date of birth, the same National Insurance number, or the same email address."""
    clauses: list[ColumnElement[bool]] = []
    if date_of_birth is not None:
        clauses.append(Person.date_of_birth == date_of_birth)
    if ni_number:
        clauses.append(Person.ni_number == ni_number)
    if email:
        clauses.append(Person.email == email.strip().lower())
    if not clauses:
        return []
    wanted = (search_name(first_name), search_name(last_name))
    matches = []
    for person in session.scalars(select(Person).where(or_(*clauses)).limit(200)):
        same_name = (search_name(person.first_name), search_name(person.last_name)) == wanted
        if (
            (same_name and person.date_of_birth == date_of_birth and date_of_birth is not None)
            or (ni_number and person.ni_number == ni_number)
            or (email and (person.email or "").lower() == email.strip().lower())
        ):
            matches.append(person)
    matches.sort(key=lambda p: (p.last_name, p.first_name, p.id))
    return _with_context(session, matches[:PAGE_SIZE], today)


__all__ = [
    "ORDER",
    "PERSON_REFERENCE_PREFIX",
    "CaseLink",
    "PersonRow",
    "PersonSearch",
    "Results",
    "likely_duplicates",
    "parse",
    "search",
]
