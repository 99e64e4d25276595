"""Same person under another spelling: candidates for a person (or a name and birth date) are
looked up by folded name keys (the full-text index person_name_keys) and by shared identifiers,
then scored by graph.names.score_pair with the reasons for each score. An investigator's
confirmSameAs / rejectSameAs is recorded on a SAME_AS relationship: confirmed links feed the
traces; rejected pairs are never proposed again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from graph import access
from graph.db import Database, Tx
from graph.exceptions import BadInput
from graph.investigation_types import CaseRef, MatchCandidate, SameAsLink, TraceNode
from graph.names import PersonFacts, name_keys, score_pair
from graph.tracing import KIND_WORDS, SUPER_DEGREE, bounded
from graph.types import Principal

MAX_CANDIDATES = 100
LOOKUP = 200  # people read per key look-up, before scoring
MIN_SCORE = 0.1  # candidates scoring below this are not proposed


def _facts(row: dict[str, Any]) -> PersonFacts:
    p = row["person"]
    names = [n for n in [p.get("name"), *(p.get("aliases") or [])] if n]
    return PersonFacts(names=names or [p["id"]], birth_date=p.get("birth_date"),
                       identifiers={i["id"]: f"{_kind(i['label'])} {i['caption']}"
                                    for i in row.get("identifiers") or []})


def _kind(label: str) -> str:
    return KIND_WORDS.get(label, label.lower())


def _cases(rows: list[dict[str, Any]]) -> tuple[CaseRef, ...]:
    return tuple(CaseRef(c["id"], c.get("number")) for c in rows)


async def person_facts(db: Database, person_id: str) -> dict[str, Any] | None:
    return await db.read_one("person_facts", id=person_id)


async def match_candidates(db: Database, *, person_id: str | None = None,
                           name: str | None = None, birth_date: str | None = None,
                           limit: int = 10) -> list[MatchCandidate]:
    """Scored candidates, best first; from a person in the graph, or a name (and birth date)."""
    bounded("limit", limit, 1, MAX_CANDIDATES)
    if (person_id is None) == (name is None):
        raise BadInput("give either personId or name", field="personId")
    rows: list[dict[str, Any]] = []
    if person_id is not None:
        me = await person_facts(db, person_id)
        if me is None:
            raise BadInput(f"no person with id {person_id!r}", field="personId")
        if me["person"].get("pseudonymous"):
            raise BadInput("a victim is pseudonymous: no same-person matching", field="personId")
        facts = _facts(me)
        if birth_date:
            facts = PersonFacts(facts.names, birth_date, facts.identifiers)
        rows += await db.read("match_candidates_by_identifiers", id=person_id,
                              super_degree=SUPER_DEGREE, limit=LOOKUP)
    else:
        assert name is not None
        if not name.strip() or len(name) > 300:
            raise BadInput("name must be 1 to 300 characters", field="name")
        facts = PersonFacts([name], birth_date)
    keys = name_keys(*facts.names)
    if keys:
        rows += await db.read("match_candidates_by_keys", keys=" ".join(keys),
                              exclude_id=person_id, limit=LOOKUP)
    # hundreds of names transliterated and compared: in a worker process (graph/offload.py)
    return await db.cpu.run(scored, facts, rows, person_id, limit)


def scored(facts: PersonFacts, rows: list[dict[str, Any]], person_id: str | None,
           limit: int) -> list[MatchCandidate]:
    """The people read, scored against `facts`, best first, at most `limit`."""
    seen: dict[str, MatchCandidate] = {}
    for row in rows:
        pid = row["person"]["id"]
        if pid in seen or pid == person_id:
            continue
        s = score_pair(facts, _facts(row))
        if s.score < MIN_SCORE:
            continue
        seen[pid] = MatchCandidate(person=TraceNode.of(row["person"]),
                                   birth_date=row["person"].get("birth_date"), score=s.score,
                                   reasons=s.reasons, status=row.get("status") or "CANDIDATE",
                                   suspect_in=_cases(row["cases"]),
                                   victim_in=_cases(row.get("victim_cases") or []))
    ranked = sorted(seen.values(), key=lambda c: (-c.score, c.person.caption, c.person.id))
    return ranked[:limit]


@dataclass(frozen=True)
class Refusal:
    """Why a same-person judgement was not recorded (code: NOT_FOUND, BAD_INPUT)."""

    code: str
    message: str


async def decide_same_as(db: Database, person_id: str, other_id: str, status: str,
                         who: Principal, note: str | None = None) -> SameAsLink | Refusal:
    """Record CONFIRMED or REJECTED for the pair, with the score and reasons at the time, and
    its audit event in the same transaction."""
    if status not in ("CONFIRMED", "REJECTED"):
        raise ValueError(status)
    if person_id == other_id:
        return Refusal("BAD_INPUT", "a person is always the same as themself")
    if note is not None and len(note) > 1000:
        return Refusal("BAD_INPUT", "the note is longer than 1000 characters")
    a, b = await person_facts(db, person_id), await person_facts(db, other_id)
    for pid, row in ((person_id, a), (other_id, b)):
        if row is None:
            return Refusal("NOT_FOUND", f"no person with id {pid!r}")
        if row["person"].get("pseudonymous"):
            return Refusal("BAD_INPUT", f"{pid} is a victim, kept pseudonymous: no same-person "
                                        "links")
    assert a is not None and b is not None
    s = score_pair(_facts(a), _facts(b))
    lo, hi = sorted((person_id, other_id))
    at = datetime.now(UTC)

    async def work(tx: Tx) -> dict[str, Any]:
        [row] = await tx.run("record_same_as", a=lo, b=hi, status=status, score=s.score,
                             reasons=list(s.reasons), by=f"{who.name} ({who.token_id})", at=at,
                             note=note)
        await access.audit_in(tx, who, f"case.same_as.{status.lower()}",
                              f"{person_id} {other_id}", note, at)
        return dict(row["link"])

    link = await db.in_write_tx(work, "record_same_as")
    return SameAsLink(person_id=person_id, other_id=other_id, status=link["status"],
                      score=link["score"], reasons=tuple(link["reasons"]), by=link["by"],
                      at=link["at"], note=link.get("note"))
