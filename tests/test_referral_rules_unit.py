"""Who may move a referral (graph/referral_rules.py) and how an idempotency key is scoped
(graph/referral_write.py), as pure functions."""

from __future__ import annotations

import pytest

from graph.exceptions import BadInput
from graph.referral_rules import reroute_refusal, transition_refusal
from graph.referral_write import Idempotency
from graph.types import Principal

pytestmark = pytest.mark.unit

SENDER = Principal("t1", "sender", "COORDINATOR", "org-a")
RECEIVER = Principal("t2", "receiver", "COORDINATOR", "org-b")
OTHER = Principal("t3", "other", "COORDINATOR", "org-c")
ADMIN = Principal("t4", "admin", "ADMIN")


@pytest.mark.parametrize(
    ("who", "status", "to", "allowed"),
    [
        (SENDER, "PENDING", "ACCEPTED", False),
        (RECEIVER, "PENDING", "ACCEPTED", True),
        (SENDER, "PENDING", "DECLINED", False),
        (RECEIVER, "PENDING", "DECLINED", True),
        (SENDER, "ACCEPTED", "IN_SERVICE", False),
        (RECEIVER, "ACCEPTED", "IN_SERVICE", True),
        (SENDER, "IN_SERVICE", "COMPLETED", False),
        (RECEIVER, "IN_SERVICE", "COMPLETED", True),
        (SENDER, "PENDING", "CANCELLED", True),
        (RECEIVER, "PENDING", "CANCELLED", False),
        (RECEIVER, "ACCEPTED", "CANCELLED", True),
        (RECEIVER, "IN_SERVICE", "CANCELLED", True),
        (OTHER, "PENDING", "CANCELLED", False),
        (OTHER, "PENDING", "ACCEPTED", False),
        (ADMIN, "PENDING", "ACCEPTED", True),
        (ADMIN, "PENDING", "CANCELLED", True),
    ],
)
def test_who_may_move_a_referral(who: Principal, status: str, to: str, allowed: bool) -> None:
    why = transition_refusal(who, "org-a", "org-b", status, to)
    assert (why is None) == allowed, why


def test_an_organization_referring_to_its_own_service_is_both_sides() -> None:
    assert transition_refusal(SENDER, "org-a", "org-a", "PENDING", "ACCEPTED") is None
    assert transition_refusal(SENDER, "org-a", "org-a", "PENDING", "CANCELLED") is None


def test_only_the_sender_or_an_admin_reroutes() -> None:
    assert reroute_refusal(SENDER, "org-a") is None and reroute_refusal(ADMIN, "org-a") is None
    assert "sending organization" in (reroute_refusal(RECEIVER, "org-a") or "")


def test_an_idempotency_key_is_scoped_to_the_organization_or_token() -> None:
    a = Idempotency.of(SENDER, "k1", "createReferral", {"x": 1})
    b = Idempotency.of(Principal("t9", "colleague", "COORDINATOR", "org-a"), "k1", "createReferral", {"x": 1})
    c = Idempotency.of(ADMIN, "k1", "createReferral", {"x": 1})
    assert a is not None and b is not None and c is not None
    assert a == b and c.key != a.key
    d = Idempotency.of(SENDER, "k1", "createReferral", {"x": 2})
    assert d is not None and d.key == a.key and d.payload != a.payload
    assert Idempotency.of(SENDER, None, "createReferral", {}) is None
    for bad in ("", " ", "k" * 201):
        with pytest.raises(BadInput):
            Idempotency.of(SENDER, bad, "createReferral", {})
