"""Victims' names taken out of the text kept with what concerns them: a case's name and
description, a payment's purpose, a relationship's summary. Victims are pseudonymous
(loaders/ftm_map.py), and case files tell their stories in words.

Each of a victim's names (loaders.ftm_rules.person_names), whole and word by word (words of three
letters or more), is replaced by her pseudonym wherever it stands as a word in a text or
name property, whatever the case. A suspect who shares a first name with her loses it in those
texts too: the safe side. Only names the load knows can go: a victim's names are not kept, so a
later file that names her in a text without stating her keeps its text as written."""

from __future__ import annotations

import re
from collections.abc import Mapping

from loaders.ftm_read import Entity
from loaders.ftm_rules import person_names, pseudonym, schema_of

_WORD = re.compile(r"[^\W\d_]{3,}")  # letters only: a number in a name is no name
_TEXT_TYPES = frozenset({"text", "name"})  # not strings: a role, a relationship


def name_pattern(person: Entity) -> re.Pattern[str] | None:
    """A person's names, whole and word by word, as one case-insensitive pattern of whole words;
    None when the entity names no one."""
    names = person_names(person)
    terms = sorted({*names, *(w for n in names for w in _WORD.findall(n))}, key=len, reverse=True)
    if not terms:
        return None
    return re.compile(r"\b(?:" + "|".join(map(re.escape, terms)) + r")\b", re.IGNORECASE)


def scrub(text: str, patterns: Mapping[str, re.Pattern[str]]) -> str:
    """`text` with each victim's names (patterns by victim id) replaced by her pseudonym."""
    for victim, pattern in patterns.items():
        text = pattern.sub(pseudonym(victim), text)
    return text


def redact(e: Entity, patterns: Mapping[str, re.Pattern[str]]) -> tuple[Entity, int]:
    """`e` with the victims' names taken out of its text properties, and how many values that
    changed (`e` itself when none)."""
    if not patterns:
        return e, 0
    schema = schema_of(e)
    changed = 0
    props: dict[str, list[str]] = {}
    for name, values in e.properties.items():
        if schema.properties[name].type.name not in _TEXT_TYPES:
            props[name] = values
            continue
        props[name] = [scrub(v, patterns) for v in values]
        changed += sum(a != b for a, b in zip(values, props[name], strict=True))
    return (Entity(e.id, e.schema, e.line, props), changed) if changed else (e, 0)
