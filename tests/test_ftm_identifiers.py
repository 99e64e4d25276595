"""Identifier normalization: one value written several ways is one node. Pure functions."""

from __future__ import annotations

import pytest

from graph import identifiers as ids
from graph.identifiers import IdentifierError

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("raw", ["8 701 555 1234", "+7 701 555 12 34", "87015551234",
                                 "7015551234", "+7 (701) 555-12-34"])
def test_phones_become_e164_with_kazakhstan_as_the_default(raw: str) -> None:
    p = ids.phone(raw)
    assert (p.id, p.label, p.caption) == ("phone:+77015551234", "Phone", "+7 701 555 1234")
    assert p.props == {"e164": "+77015551234"}


def test_a_foreign_number_keeps_its_country() -> None:
    assert ids.phone("+49 30 1234567").id == "phone:+49301234567"


@pytest.mark.parametrize("raw", ["12", "phone", "+7 1"])
def test_a_phone_that_is_not_one_is_refused(raw: str) -> None:
    with pytest.raises(IdentifierError, match="phone number"):
        ids.phone(raw)


def test_emails_are_lower_cased() -> None:
    assert ids.email(" Dzhanik77@Mail.KZ ").id == "email:dzhanik77@mail.kz"
    with pytest.raises(IdentifierError, match="not an email"):
        ids.email("dzhanik77 at mail.kz")


def test_ibans_are_compacted_and_checked() -> None:
    a = ids.iban("kz86 125k zt50 0410 0100")
    assert (a.id, a.caption) == ("iban:KZ86125KZT5004100100", "KZ86 125K ZT50 0410 0100")
    with pytest.raises(IdentifierError, match="checksum"):
        ids.iban("KZ87125KZT5004100100")
    assert ids.account_number("KZ86-125K-ZT50-0410-0100").id == a.id
    assert ids.account_number("40817 810 0999").id == "account:408178100999"
    assert ids.bank_account(None, None) is None


def test_plates_and_documents_are_upper_case_without_spaces_and_latin() -> None:
    assert ids.plate("123 abc-02").id == "plate:123ABC02"
    assert ids.plate("А 123 ВС 77").id == "plate:A123BC77"  # Cyrillic look-alikes
    d = ids.document("n 1234 5678", "passport", "kz")
    assert (d.id, d.caption, d.props["type"]) == ("doc:N12345678", "passport N12345678", "passport")
    with pytest.raises(IdentifierError):
        ids.plate("#")


def test_addresses_written_differently_share_a_key() -> None:
    a = ids.address("Schillerstraße 19, 76135 Karlsruhe")
    b = ids.address("SCHILLERSTRASSE 19 , 76135  Karlsruhe")
    assert a.id == b.id == "address:schillerstrasse 19 76135 karlsruhe"
    assert ids.address("Алматы, Төле би 294").id == "address:almaty tole bi 294"


def test_online_accounts_by_platform_and_handle() -> None:
    a = ids.online_account("Telegram", "@Dzhanik_77")
    assert a is not None and a.id == "account:telegram:dzhanik_77"
    assert ids.online_account("telegram", " @ ") is None
