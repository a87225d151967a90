"""Merge fields in message templates (SPEC N2): a template may use only the documented fields;
anything else is refused at saving with its name, and a template that saves merges."""

from __future__ import annotations

import pytest

from domain.errors import RuleBroken
from domain.message_templates import MERGE_FIELDS, fields_used, merge, unknown_fields

DATA = {
    "person": {
        "title": "Ms",
        "first_name": "Amira",
        "last_name": "Khan",
        "full_name": "Amira Khan",
        "reference": "PN-0000001",
    },
    "case": {"reference": "HC-000042"},
    "officer": {"name": "Rina Patel", "email": "rina@council.example"},
    "council": {"name": "Testshire", "phone": "01632 960000", "service": "Housing options"},
    "strand": None,
}


def test_documented_fields_are_known_and_merge() -> None:
    source = " ".join(
        "{{ " + name + " }}" for name in MERGE_FIELDS if not name.startswith("strand")
    )
    assert unknown_fields(source) == []
    text = merge(source, DATA)
    assert "Amira Khan" in text and "HC-000042" in text and "Rina Patel" in text


@pytest.mark.parametrize(
    ("source", "unknown"),
    [
        ("Dear {{ person.shoe_size }}", ["person.shoe_size"]),
        ("{{ person.first_name }} {{ case.band }} {{ case.band }}", ["case.band"]),
        ("{{ first_name }}", ["first_name"]),
        ("{{ person.address.postcode }}", ["person.address.postcode"]),
        ("{{ person['first_name'] }}", ["person['first_name']"]),
        ("{% if strand %}{{ strand.colour }}{% endif %}", ["strand.colour"]),
        ("{{ person.first_name|upper }} {{ council.name }}", []),
        ("{% for x in [1, 2] %}{{ x }}{% endfor %}", []),
        ("{{ ''.__class__ }}", [".__class__"]),
        ("{{ (person.first_name|upper).lower() }}", [".lower"]),
    ],
)
def test_unknown_fields_are_named(source: str, unknown: list[str]) -> None:
    assert unknown_fields(source) == unknown


def test_a_template_that_does_not_read_is_refused_on_its_field() -> None:
    with pytest.raises(RuleBroken) as refused:
        fields_used("Dear {{ person.first_name", what="subject")
    assert refused.value.field == "subject"
    assert "line 1" in refused.value.message


def test_strand_fields_need_a_strand_and_the_sandbox_holds() -> None:
    with pytest.raises(RuleBroken) as refused:
        merge("About {{ strand.reference }}", DATA)
    assert refused.value.field == "strand"
    assert merge("{% if strand %}{{ strand.reference }}{% else %}none{% endif %}", DATA) == "none"
    with_strand = {
        **DATA,
        "strand": {"reference": "HR-1", "type": "Housing Register", "status": "Open"},
    }
    assert merge("{{ strand.type }} {{ strand.reference }}", with_strand) == "Housing Register HR-1"
    with pytest.raises(RuleBroken) as unsafe:
        merge("{{ person.first_name.__class__.__mro__ }}", DATA)
    assert unsafe.value.field == "body"
