"""How people are told apart and found: the keys their names, phone numbers, National Insurance
numbers and postcodes are stored and searched by.

Every key is worked out here, once, from what an officer or applicant typed, so a search and the
record it looks for agree on accents, case, spaces and punctuation.
"""

from __future__ import annotations

import re
import unicodedata

# Letters NFKD leaves whole (they are not a base letter plus an accent).
_FOLDED = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe"})
_APOSTROPHES = re.compile(r"['’‘`]")
_WORD = re.compile(r"[a-z0-9]+")

POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$")
# The format only (two letters, six digits, A to D): records hold numbers HMRC's prefix rules
# would refuse (temporary ones, the QQ examples on forms), and a search must find them.
NI_NUMBER = re.compile(r"^[A-Z]{2}[0-9]{6}[A-D]$")
PHONE = re.compile(r"^\+?[0-9 ()-]{10,20}$")


def name_words(text: str) -> list[str]:
    """The words of a name as searched: accents and case ignored, apostrophes dropped
    ("O'Brien" is "obrien"), hyphens and other punctuation splitting words."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).translate(_FOLDED)
    return _WORD.findall(_APOSTROPHES.sub("", plain))


def search_name(*parts: str | None) -> str:
    """The key a person's names are stored under for searching: their words, in order, with
    single spaces ("Zoë Smith-O'Neill" is "zoe smith oneill")."""
    return " ".join(name_words(" ".join(p for p in parts if p)))


def phone_key(phone: str | None) -> str | None:
    """The digits of a UK phone number as dialled at home (+44 7700 900123 is 07700900123)."""
    if not phone:
        return None
    digits = re.sub(r"\D", "", phone)
    if phone.strip().startswith("+44") or (digits.startswith("44") and len(digits) == 12):
        digits = "0" + digits[2:]
    elif digits.startswith("0044"):
        digits = "0" + digits[4:]
    return digits or None


def normalise_ni_number(value: str | None) -> str | None:
    """A National Insurance number as stored (QQ123456C), or None if it is not one."""
    compact = re.sub(r"[\s-]", "", value or "").upper()
    return compact if NI_NUMBER.match(compact) else None


def normalise_postcode(value: str | None) -> str | None:
    """A UK postcode as stored (SW1A 1AA), or None if it is not one."""
    compact = re.sub(r"\s", "", value or "").upper()
    if not POSTCODE.match(compact):
        return None
    return f"{compact[:-3]} {compact[-3:]}"
