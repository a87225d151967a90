"""Password hashing with Argon2id (argon2-cffi's recommended parameters), and the rule for
new passwords."""

from __future__ import annotations

import string

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

_hasher = PasswordHasher()
# Verifying against this keeps sign-in timing the same whether or not the account exists.
_DUMMY_HASH = _hasher.hash("not a real password")


def use_cheap_parameters_for_tests() -> None:
    """Tests only: hash with Argon2's smallest costs, so a suite that signs in thousands of
    times stays quick. Hashes record their own parameters, so either kind verifies."""
    global _hasher, _DUMMY_HASH
    _hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    _DUMMY_HASH = _hasher.hash("not a real password")


MIN_LENGTH = 10
MAX_LENGTH = 256


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


# zxcvbn refuses to look at more than this many characters (its cost grows with length).
_ESTIMATE_AT_MOST = 72
# Fewer estimated guesses than this (zxcvbn's scores 0 and 1) is too easy to guess.
_FEWEST_GUESSES = 10**6
_AROUND_A_WORD = string.digits + string.punctuation + string.whitespace

TOO_EASY = "Password is too easy to guess: use a few words together"
TOO_COMMON = (
    "Password is too common. Choose one that would be hard to guess, such as three random "
    "words together"
)


def password_problem(password: str) -> str | None:
    """Why a new password is not acceptable, or None if it is.

    As NCSC and NIST SP 800-63B advise, there are no composition rules (no "one capital, one
    digit, one symbol"): a password must be 10 to 256 characters, and it must not be common or
    easy to guess. zxcvbn (with frequency lists of common passwords, words and names, and
    patterns such as keyboard walks, sequences, repeats, dates and l33t spellings) estimates how
    many guesses a password would take. We refuse:

    - fewer than a million estimated guesses (zxcvbn's scores 0 and 1): "password123",
      "qwertyuiop", "iloveyou12", "Password1!";
    - one common password with only digits, symbols or spaces around it ("Summer2024!",
      "P@ssword2026"), the pattern composition rules teach people, which zxcvbn rates higher
      than attackers, who try it early.

    A million guesses is far more than the sign-in limits let anyone try online, and a passphrase
    of a few ordinary words passes easily. Only the first 72 characters are estimated (zxcvbn's
    own limit); a longer password is then judged by its start, which can only be stricter.
    """
    if len(password) < MIN_LENGTH:
        return f"Password must be {MIN_LENGTH} characters or more"
    if len(password) > MAX_LENGTH:
        return f"Password must be {MAX_LENGTH} characters or fewer"
    if password.strip() == "" or len(set(password)) < 4:
        return TOO_EASY
    if _is_common(password[:_ESTIMATE_AT_MOST]):
        return TOO_COMMON
    return None


def _is_common(password: str) -> bool:
    estimate = zxcvbn(password)
    if float(estimate["guesses"]) < _FEWEST_GUESSES:
        return True
    words = [m for m in estimate["sequence"] if m["pattern"] == "dictionary"]
    padding = [m for m in estimate["sequence"] if m["pattern"] != "dictionary"]
    return (
        len(words) == 1
        and words[0]["dictionary_name"] == "passwords"
        and all(not m["token"].strip(_AROUND_A_WORD) for m in padding)
    )
