"""BIN/IIN: the check-digit algorithm, the shape errors, and what single-digit changes it catches."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loaders.kz_ids import bin_check_digit, bin_problem, is_valid_bin, normalize_bin

pytestmark = pytest.mark.unit

W1 = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
ELEVEN = st.text(alphabet="0123456789", min_size=11, max_size=11)


def _first_pass(first11: str) -> int:
    return sum(int(d) * w for d, w in zip(first11, W1, strict=True)) % 11


def _make(first11: str) -> str:
    check = bin_check_digit(first11)
    assert check is not None
    return first11 + str(check)


# first 11 digits; the last of each list has a first pass of 10, so it uses the second pass
BIN_BODIES = ["94014000038", "99014000465", "15034001234", "21124100007", "08065200319",
              "19016000042", "23104030001", "23104030091", "18054001270"]
IIN_BODIES = ["79102830272", "85010140012", "00123150077", "61121160001", "85010140020"]


def test_published_examples_are_valid() -> None:
    assert bin_problem("940140000385") is None
    assert bin_problem("990 140 004 654") is None
    assert bin_problem("791028302728") is None  # an IIN
    assert bin_check_digit("94014000038") == 5


def test_the_second_pass_is_used_when_the_first_gives_10() -> None:
    # first pass: 1*1 + 2*0 + ... ; find a body whose first pass is 10 and check by hand
    body = next(b for b in (f"{n:011d}" for n in range(1000, 100000)) if _first_pass(b) == 10)
    w2 = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
    second = sum(int(d) * w for d, w in zip(body, w2, strict=True)) % 11
    assert bin_check_digit(body) == (None if second == 10 else second)


def test_a_body_whose_both_passes_give_10_cannot_be_valid() -> None:
    bodies = (f"{n:011d}" for n in range(10**6))
    body = next(b for b in bodies if _first_pass(b) == 10 and bin_check_digit(b) is None)
    for last in "0123456789":
        assert bin_problem(body + last) == "cannot have a valid check digit"


@pytest.mark.parametrize("value", ["", "94014000038", "9401400003851", "94014000038X",
                                   "９４０１４０００００３８５", "940140000385 1", "BIN940140000385",
                                   "94014000038५"])
def test_shape_errors(value: str) -> None:
    assert bin_problem(value) == "must be 12 digits"
    assert not is_valid_bin(value)


def test_reasons_name_the_digits() -> None:
    assert bin_problem("940140000384") == "check digit is 4, expected 5"
    for value in ("940170000385", "940180000385", "940190000385"):
        fixed = _make(value[:11])
        assert bin_problem(fixed) is not None
        assert "5th digit" in (bin_problem(fixed) or "")


def test_normalize_only_strips_separators() -> None:
    assert normalize_bin(" 940-140.000 385 ") == "940140000385"
    assert normalize_bin("94O140000385") == "94O140000385"  # a letter O stays, and is reported
    assert bin_problem("94O140000385") == "must be 12 digits"


def test_bin_only_mode_rejects_an_iin() -> None:
    assert bin_problem("791028302728", allow_iin=False) == (
        "5th digit is 2, a BIN has 4, 5 or 6 (type of entity)")
    assert bin_problem("940140000385", allow_iin=False) is None


@pytest.mark.parametrize("body", BIN_BODIES + IIN_BODIES)
def test_single_digit_changes(body: str) -> None:
    """Every change is caught, except the algorithm's own blind spots (see the module docstring):
    the 11th digit (weight 11 = 0 mod 11) when the first pass is not 10, and changes that move
    the first pass to or from 10."""
    valid = _make(body)
    assert bin_problem(valid) is None
    if body in ("23104030091", "18054001270", "85010140020"):
        assert _first_pass(body) == 10
    for i in range(12):
        for digit in "0123456789":
            if digit == valid[i]:
                continue
            changed = valid[:i] + digit + valid[i + 1:]
            switched = (_first_pass(valid[:11]) == 10) != (_first_pass(changed[:11]) == 10)
            blind_11th = i == 10 and _first_pass(valid[:11]) != 10
            if switched or blind_11th:
                continue
            assert bin_problem(changed) is not None, (valid, changed)


def test_the_11th_digit_blind_spot_is_real() -> None:
    # documented so that nobody relies on the check digit to catch a typo there
    assert bin_problem("940140000385") is None
    assert bin_problem("940140000305") is None


@given(ELEVEN)
def test_check_digit_agrees_with_problem(first11: str) -> None:
    check = bin_check_digit(first11)
    fifth_ok = first11[4] in "0123456"
    if check is None:
        for last in "0123456789":
            assert bin_problem(first11 + last) == "cannot have a valid check digit"
        return
    for last in "0123456789":
        problem = bin_problem(first11 + last)
        if int(last) != check:
            assert problem == f"check digit is {last}, expected {check}"
        elif fifth_ok:
            assert problem is None
        else:
            assert problem is not None and problem.startswith("5th digit")


@given(ELEVEN, st.lists(st.sampled_from([" ", "-", "."]), max_size=4))
def test_separators_do_not_matter(first11: str, seps: list[str]) -> None:
    check = bin_check_digit(first11)
    if check is None:
        return
    number = first11 + str(check)
    spaced = number
    for k, sep in enumerate(seps):
        pos = (k * 5 + 3) % len(spaced)
        spaced = spaced[:pos] + sep + spaced[pos:]
    assert normalize_bin(spaced) == number
    assert bin_problem(spaced) == bin_problem(number)


def test_check_digit_wants_11_digits() -> None:
    with pytest.raises(ValueError, match="11 digits"):
        bin_check_digit("123")
