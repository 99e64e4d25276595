"""Pure functions: reasons in plain words, cursors."""

from __future__ import annotations

import pytest

from graph.directory import decode_cursor, encode_cursor
from graph.exceptions import BadInput
from graph.explain import why_responsible, why_service
from graph.types import Basis, Region, ResponsibleBody, ServiceOption

pytestmark = pytest.mark.unit

ALMATY = Region("almaty", "city", "Almaty", "Алматы", "Almaty", 43.24, 76.89)
ULYTAU = Region("ulytau", "region", "Ulytau Region", "Улытауская область", "Zhezkazgan", 47.79, 67.71)
KARAGANDA = Region("karaganda", "region", "Karaganda Region", "Карагандинская область", "Karaganda",
                   49.80, 73.10)


def _body(jurisdiction: str, km: float) -> ResponsibleBody:
    return ResponsibleBody("o", "PROTECT_CHILDREN", "d", None, "karaganda", km, jurisdiction)


def test_why_responsible() -> None:
    assert why_responsible(_body("REGIONAL", 0.0), "Protection of minors", ALMATY, ALMATY) == \
        "holds PROTECT_CHILDREN under Protection of minors; in Almaty"
    assert "competent nationwide" in why_responsible(_body("NATIONAL", 900.0), None, KARAGANDA, ALMATY)
    far = why_responsible(_body("REGIONAL", 450.4), None, KARAGANDA, ULYTAU)
    assert far == ("holds PROTECT_CHILDREN; no holder in Ulytau Region; nearest: Karaganda Region, "
                   "450 km from Zhezkazgan")


def test_why_service() -> None:
    o = ServiceOption("s", "o", "karaganda", 451.0, (Basis("PROVIDE_SHELTER", "p"),))
    assert why_service(o, "SHELTER", KARAGANDA, ULYTAU) == (
        "meets SHELTER; nearest: Karaganda Region, 451 km from Zhezkazgan; "
        "provider's duty: PROVIDE_SHELTER")
    assert why_service(ServiceOption("s", "o", "almaty", 0.0), "SHELTER", ALMATY, ALMATY) == \
        "meets SHELTER; in Almaty"


def test_cursor_round_trip_and_garbage() -> None:
    c = encode_cursor("Ümit's shelter", "kz-1")
    assert decode_cursor(c) == ("Ümit's shelter", "kz-1")
    for bad in ("garbage!", "", "W10=", encode_cursor("a", "b")[:-4]):
        with pytest.raises(BadInput):
            decode_cursor(bad)
