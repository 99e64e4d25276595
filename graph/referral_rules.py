"""Who may move a referral, by the two organizations stored on it at creation.

The receiving organization (a COORDINATOR of it) or an ADMIN accepts, declines, starts and
completes. The sending organization or an ADMIN cancels and re-routes. The receiver may also
cancel once it has accepted (the person left or never came: the place is given back); a PENDING
referral it declines instead, with a reason."""

from __future__ import annotations

from graph.types import Principal

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "ACCEPTED": ("PENDING",),
    "DECLINED": ("PENDING",),
    "IN_SERVICE": ("ACCEPTED",),
    "COMPLETED": ("IN_SERVICE",),
    "CANCELLED": ("PENDING", "ACCEPTED", "IN_SERVICE"),
}
RECEIVER_MOVES = frozenset({"ACCEPTED", "DECLINED", "IN_SERVICE", "COMPLETED"})
RECEIVER_CANCELS_FROM = frozenset({"ACCEPTED", "IN_SERVICE"})


def transition_refusal(p: Principal, from_org: str, to_org: str, status: str, to: str) -> str | None:
    """Why `p` may not move a referral (sent by `from_org` to `to_org`, now `status`) to `to`;
    None when it may. The referral's state itself is checked by the transition."""
    if p.role == "ADMIN":
        return None
    org = p.organization_id
    if to in RECEIVER_MOVES:
        if org == to_org:
            return None
        return f"only the receiving organization ({to_org}) or an ADMIN may set a referral {to}"
    if to == "CANCELLED":
        if org == from_org or (org == to_org and status in RECEIVER_CANCELS_FROM):
            return None
        if org == to_org:
            return (
                "the receiving organization cancels a referral only once it accepted it; "
                "decline a PENDING one, with a reason"
            )
        return f"only the sending organization ({from_org}) or an ADMIN may cancel a referral"
    return None


def reroute_refusal(p: Principal, from_org: str) -> str | None:
    """Why `p` may not re-route a declined referral sent by `from_org`; None when it may."""
    if p.role == "ADMIN" or p.organization_id == from_org:
        return None
    return f"only the sending organization ({from_org}) or an ADMIN may re-route a referral"
