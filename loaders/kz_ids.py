"""Kazakhstan business and individual identification numbers (BIN and IIN).

Both are 12 digits and share one check-digit algorithm (python-stdnum has no module for them):

- IIN (individuals): digits 1-6 are the birth date YYMMDD, digit 7 the century and sex, digits
  8-11 a serial number, digit 12 the check digit.
- BIN (legal entities, their branches and representative offices, and individual entrepreneurs
  in joint entrepreneurship): digits 1-4 are the year and month of registration YYMM, digit 5 the
  type of entity (4 resident legal entity, 5 non-resident legal entity, 6 individual entrepreneur
  in joint entrepreneurship), digit 6 the division (0 head office, 1 branch, 2 representative
  office, 3 peasant farm in joint entrepreneurship), digits 7-11 a serial number, digit 12 the
  check digit.

What `bin_problem` checks, and only this: 12 digits after `normalize_bin`; the check digit; and
the 5th digit, which is 0-3 in an IIN (the tens of the birth day) and 4-6 in a BIN, so 7, 8 and 9
are impossible in either (with ``allow_iin=False``, only 4-6 is accepted). Deliberately NOT
checked: the month (digits 3-4), the birth date and century digit of an IIN, and the division
digit of a BIN, because numbers issued for entities registered before BINs existed, and data
entry in the sources, may not follow the layout exactly; a wrong rejection would cost more than
the little these checks add.

A limit of the algorithm itself, not of this code: the 11th digit has weight 11 in the first
pass, which is 0 modulo 11, so changing only that digit is not detected whenever the first-pass
sum is not 10; and a change that moves the first-pass sum to or from 10 can also go undetected.
Every other single-digit change is detected.
"""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s\-.]")
_WEIGHTS_1 = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
_WEIGHTS_2 = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
IIN_FIFTH_DIGITS = "0123"
BIN_FIFTH_DIGITS = "456"


def normalize_bin(value: str) -> str:
    """Remove spaces, dashes and dots; nothing else is changed (letters stay, to be reported)."""
    return _SEPARATORS.sub("", value)


def _weighted(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11


def bin_check_digit(first11: str) -> int | None:
    """The check digit for the first 11 digits, or None when no check digit can make them valid.

    Weights 1..11, sum modulo 11; if that is 10, weights 3,4,5,6,7,8,9,10,11,1,2, sum modulo 11;
    if that is 10 again, the number is not assigned (None).
    """
    if len(first11) != 11 or not first11.isascii() or not first11.isdigit():
        raise ValueError(f"need exactly 11 digits, got {first11!r}")
    check = _weighted(first11, _WEIGHTS_1)
    if check == 10:
        check = _weighted(first11, _WEIGHTS_2)
    return None if check == 10 else check


def bin_problem(value: str, *, allow_iin: bool = True) -> str | None:
    """None when `value` is a valid BIN (or IIN, unless ``allow_iin=False``), else a short reason.

    The value is normalized first (`normalize_bin`), so "990 140 004 654" is valid. See the module
    docstring for what is and is not checked.
    """
    number = normalize_bin(value)
    if len(number) != 12 or not number.isascii() or not number.isdigit():
        return "must be 12 digits"
    expected = bin_check_digit(number[:11])
    if expected is None:
        return "cannot have a valid check digit"
    if int(number[11]) != expected:
        return f"check digit is {number[11]}, expected {expected}"
    fifth = number[4]
    if fifth not in BIN_FIFTH_DIGITS:
        if not allow_iin:
            return f"5th digit is {fifth}, a BIN has 4, 5 or 6 (type of entity)"
        if fifth not in IIN_FIFTH_DIGITS:
            return f"5th digit is {fifth}: neither a BIN entity type (4-6) nor an IIN birth day (0-3)"
    return None


def is_valid_bin(value: str, *, allow_iin: bool = True) -> bool:
    return bin_problem(value, allow_iin=allow_iin) is None
