"""Identifiers normalized before they are stored and matched, so that one value written several
ways is one node: phones to E.164 (Kazakhstan, +7, when no country is dialled), emails lower-cased,
IBANs compacted and checked, other account numbers, vehicle plates and document numbers
upper-cased without spaces or punctuation (Cyrillic letters that look Latin read as Latin),
addresses transliterated to lower-case ASCII words.

Each normalizer returns an `Identifier` (node id, label, properties, caption) or raises
`IdentifierError` with the reason a person can act on."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import phonenumbers
from rigour.text.translit import ascii_text
from stdnum import iban as stdnum_iban
from stdnum.exceptions import ValidationError

DEFAULT_REGION = "KZ"

# Cyrillic capitals that look like Latin ones: plates and document numbers are written with
# either; Kazakh plates use Latin letters, Russian ones these Cyrillic look-alikes.
_LOOKALIKES = str.maketrans("АВЕКМНОРСТУХІ", "ABEKMHOPCTYXI")
_COMPACT = re.compile(r"[\s\-./_·]+")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_WORDS = re.compile(r"[^0-9a-z]+")
_PLATE = re.compile(r"^[0-9A-Z]{2,12}$")
_DOCNUM = re.compile(r"^[0-9A-Z]{3,30}$")


class IdentifierError(ValueError):
    """A value that cannot be normalized; the message says why."""


@dataclass(frozen=True)
class Identifier:
    """One identifier node: `id` is "<kind>:<normalized value>", shared by all who use it."""

    id: str
    label: str
    caption: str
    props: dict[str, Any] = field(default_factory=dict)

    def row(self) -> dict[str, Any]:
        return {"id": self.id, "caption": self.caption, "props": self.props}


def phone(raw: str, region: str = DEFAULT_REGION) -> Identifier:
    """'8 701 555 1234' -> phone:+77015551234 (captioned '+7 701 555 1234')."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as e:
        raise IdentifierError(f"{raw!r} is not a phone number ({e._msg})") from None
    if not phonenumbers.is_possible_number(number):
        raise IdentifierError(f"{raw!r} is not a possible phone number")
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    caption = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return Identifier(f"phone:{e164}", "Phone", caption, {"e164": e164})


def email(raw: str) -> Identifier:
    value = raw.strip().lower()
    if value.startswith("mailto:"):
        value = value[7:]
    if not _EMAIL.match(value):
        raise IdentifierError(f"{raw!r} is not an email address")
    return Identifier(f"email:{value}", "Email", value, {"address": value})


def iban(raw: str) -> Identifier:
    """An IBAN, compacted and upper-cased; its check digits must hold."""
    try:
        value = stdnum_iban.validate(raw)
    except ValidationError as e:
        raise IdentifierError(f"{raw!r} is not a valid IBAN ({str(e).rstrip('.').lower()})") from None
    return Identifier(f"iban:{value}", "BankAccount", stdnum_iban.format(value), {"iban": value})


def compact(raw: str) -> str:
    """Upper case, Cyrillic look-alikes as Latin, no spaces or punctuation."""
    return _COMPACT.sub("", raw.strip().upper().translate(_LOOKALIKES))


def account_number(raw: str) -> Identifier:
    """A bank account number that is not an IBAN (an IBAN-shaped one is checked as an IBAN)."""
    value = compact(raw)
    if len(value) >= 15 and value[:2].isalpha() and value[2:4].isdigit():
        return iban(value)
    if not value.isalnum() or len(value) < 4:
        raise IdentifierError(f"{raw!r} is not an account number")
    return Identifier(f"account:{value}", "BankAccount", value, {"number": value})


def bank_account(iban_value: str | None, number: str | None) -> Identifier | None:
    """The account's identifier from its IBAN, else its number; None when it has neither."""
    if iban_value:
        return iban(iban_value)
    if number:
        return account_number(number)
    return None


def plate(raw: str) -> Identifier:
    """'123 ABC 02' and '123abc-02' -> plate:123ABC02; 'А 123 ВС 77' -> plate:A123BC77."""
    value = compact(raw)
    if not _PLATE.match(value):
        raise IdentifierError(f"{raw!r} is not a vehicle registration plate")
    return Identifier(f"plate:{value}", "Vehicle", value, {"plate": value})


def document(raw: str, kind: str | None = None, country: str | None = None) -> Identifier:
    """A passport, ID card, tax or registration number: one node per number, whatever its type."""
    value = compact(raw)
    if not _DOCNUM.match(value):
        raise IdentifierError(f"{raw!r} is not a document number")
    caption = f"{kind} {value}" if kind else value
    return Identifier(f"doc:{value}", "IdDocument", caption,
                      {"number": value, "type": kind, "country": country})


@lru_cache(maxsize=65536)
def address_key(raw: str) -> str:
    """Transliterated, lower-case ASCII words: 'Schillerstraße 19, 76135 Karlsruhe' ->
    'schillerstrasse 19 76135 karlsruhe'."""
    return " ".join(_WORDS.split(ascii_text(raw).lower())).strip()


def address(raw: str) -> Identifier:
    key = address_key(raw)
    if not key:
        raise IdentifierError(f"{raw!r} is not an address")
    full = " ".join(raw.split())
    return Identifier(f"address:{key}", "Address", full, {"key": key, "full": full})


def online_account(platform: str | None, handle: str | None) -> Identifier | None:
    """telegram @Dzhanik_77 -> account:telegram:dzhanik_77; None without a handle."""
    if not handle or not handle.strip().lstrip("@"):
        return None
    h = handle.strip().lstrip("@").lower()
    p = " ".join((platform or "unknown").lower().split())
    return Identifier(f"account:{p}:{h}", "OnlineAccount", f"{p} @{h}", {"platform": p, "handle": h})


def opaque(label: str, ftm_id: str, caption: str) -> Identifier:
    """An account or vehicle with no number: its FtM id stands in (it links only by that id)."""
    return Identifier(f"ftm:{ftm_id}", label, caption, {})
