"""The generated case graph of the investigations benchmark (bench/investigations.py): FtM JSON
lines of cases, people and companies whose phones, emails, addresses and document numbers are
drawn with Zipf weights (a few are shared by thousands: super-nodes), parties of cases, and
associates, payments and employments between entities drawn with Zipf weights too."""

from __future__ import annotations

import bisect
import itertools
import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_FIRST = ("Zhanibek", "Aslan", "Dana", "Marat", "Aigerim", "Nurlan", "Gulnara", "Yerlan", "Timur",
          "Askar", "Bolat", "Saule", "Ainur", "Olga", "Sergey", "Ruslan", "Madina", "Arman")
_LAST = ("Kelekeev", "Bekov", "Nurov", "Ospanov", "Saparov", "Amirov", "Abenov", "Iskakov",
         "Pavlov", "Kim", "Zhumabayev", "Tokayev", "Serikbayev", "Akhmetov", "Li", "Ivanov")


@dataclass
class Generated:
    lines: int = 0
    cases: int = 0
    people: int = 0
    companies: int = 0
    identifiers: int = 0
    suspects: list[tuple[str, str]] = field(default_factory=list)  # (suspect id, case id)


class _Zipf:
    """Indices 0..n-1 drawn with weight 1/(rank+1)^alpha, ranks shuffled (seeded)."""

    def __init__(self, rng: random.Random, n: int, alpha: float) -> None:
        self.rng = rng
        self.cum = list(itertools.accumulate(1.0 / (i + 1) ** alpha for i in range(n)))
        self.perm = list(range(n))
        rng.shuffle(self.perm)

    def draw(self) -> int:
        return self.perm[bisect.bisect(self.cum, self.rng.random() * self.cum[-1])]


def _e(eid: str, schema: str, props: dict[str, Any]) -> str:
    return json.dumps({"id": eid, "schema": schema,
                       "properties": {k: v if isinstance(v, list) else [v] for k, v in props.items()}},
                      ensure_ascii=False) + "\n"


def _identifier(i: int) -> tuple[str, str]:
    kind = i % 10
    if kind < 5:
        return "phone", f"+7 70{i % 8} {i // 10 % 1000:03d} {i // 10000 % 100:02d} {i // 1_000_000 % 100:02d}"
    if kind < 7:
        return "email", f"user{i}@mail{i % 7}.kz"
    if kind < 9:
        return "address", f"Almaty, street {i % 997} house {i // 997}"
    return "idNumber", f"N{i:09d}"


def generate(path: Path, nodes: int, rels: int, seed: int, prefix: str = "") -> Generated:
    """FtM JSON lines for a graph of about `nodes` nodes and `rels` relationships; `prefix` starts
    every entity id (a later file of new entities that share identifiers with an earlier one)."""
    rng = random.Random(seed)
    g = Generated()
    g.cases, g.companies = max(2, nodes // 50), max(2, nodes // 20)
    n_idents = max(10, nodes * 3 // 10)
    g.people = max(10, nodes - g.cases - g.companies - n_idents)
    idents = _Zipf(rng, n_idents, 0.95)
    people = _Zipf(rng, g.people, 0.8)
    used: set[int] = set()
    party_rels = g.cases * 5
    with path.open("w", encoding="utf-8") as f:
        def w(line: str) -> None:
            f.write(line)
            g.lines += 1
        uses = 0
        for i in range(g.companies):
            ident = idents.draw()
            used.add(ident)
            kind, value = _identifier(ident)
            w(_e(f"{prefix}co{i}", "Company", {"name": f"TOO Company {i}", kind if kind != "idNumber"
                                       else "registrationNumber": value}))
            uses += 1
        for i in range(g.people):
            born = f"{rng.randint(1960, 2003)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
            props: dict[str, Any] = {"name": f"{rng.choice(_FIRST)} {rng.choice(_LAST)} {i}",
                                     "birthDate": born}
            for _ in range(1 + int(rng.expovariate(1.0))):
                ident = idents.draw()
                used.add(ident)
                kind, value = _identifier(ident)
                props.setdefault(kind, []).append(value)
                uses += 1
            w(_e(f"{prefix}p{i}", "Person", props))
        for c in range(g.cases):
            case = f"{prefix}case{c}"
            w(_e(case, "CourtCase", {"caseNumber": f"{2015 + c % 10}-{c:06d}",
                                     "category": "Art. 128 CC RK"}))
            for k, role in enumerate(("suspect", "suspect", "suspect", "victim", "witness")):
                person = f"{prefix}p{rng.randrange(g.people)}"
                w(_e(f"{prefix}party{c}-{k}", "CourtCaseParty",
                     {"party": person, "case": case, "role": role}))
                if role == "suspect":
                    g.suspects.append((person, case))
        remaining = max(0, rels - uses - party_rels)
        for j in range(remaining):
            a, b = people.draw(), people.draw()
            pa, pb, co = f"{prefix}p{a}", f"{prefix}p{b}", f"{prefix}co{b % g.companies}"
            r = j % 20
            if r < 12:
                if a != b:
                    w(_e(f"{prefix}as{j}", "Associate", {"person": pa, "associate": pb}))
            elif r < 17:
                w(_e(f"{prefix}pay{j}", "Payment", {"payer": pa, "beneficiary": co,
                                                    "amount": str(rng.randint(1, 500) * 1000),
                                                    "currency": "KZT", "date": "2024-01-15"}))
            else:
                w(_e(f"{prefix}emp{j}", "Employment", {"employee": pa, "employer": co}))
    g.identifiers = len(used)
    return g
