"""Mapping HSDS taxonomy terms and attributes to the project's needs (enum NeedCode).

Rules come from data/hsds/needs-mapping.yaml (described at its top), after those of a user's file
when one is given: the first rule that matches wins, and a rule may give several needs. A rule
matches on one of: the term's code (`code`, optionally within a `taxonomy`), the start of its code
(`code_prefix`), its whole name (`name`), or `keywords` at word starts in its name. Only when no
rule matches the name are the keyword rules tried, in the same order, on the description.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.config import PROJECT_ROOT
from graph.exceptions import InvalidData, Problem
from loaders.yamlsrc import LINE, line_of, read_yaml

BUILTIN_FILE = PROJECT_ROOT / "data" / "hsds" / "needs-mapping.yaml"
MATCHERS = ("code", "code_prefix", "name", "keywords")
RULE_FIELDS = {*MATCHERS, "taxonomy", "needs", "note", LINE}
_NON_ALNUM = re.compile(r"[\W_]+")
_NOT_STRINGS = "must be a string or a list of strings"


def _taxonomy_key(value: str) -> str:
    return _NON_ALNUM.sub("", value.casefold())


def _text(value: str) -> str:
    return " ".join(value.casefold().replace("ё", "е").split())


def _keyword_pattern(keyword: str) -> re.Pattern[str]:
    words = _text(keyword).split()
    return re.compile(r"(?<!\w)" + r"\w*\W+".join(re.escape(w) for w in words))


@dataclass(frozen=True)
class Rule:
    """One rule of a mapping file."""

    matcher: str  # one of MATCHERS
    values: tuple[str, ...]  # as written
    needs: frozenset[str]
    taxonomies: frozenset[str] | None  # normalised; None: any taxonomy
    file: str
    line: int | None
    patterns: tuple[re.Pattern[str], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        patterns = tuple(_keyword_pattern(v) for v in self.values) if self.matcher == "keywords" else ()
        object.__setattr__(self, "patterns", patterns)

    def taxonomy_ok(self, taxonomy: str | None) -> bool:
        if self.taxonomies is None:
            return True
        return taxonomy is not None and _taxonomy_key(taxonomy) in self.taxonomies

    def match_term(self, taxonomy: str | None, code: str | None, name: str | None) -> str | None:
        """The reason this rule matches a term by code or name (keywords: in the name), or None."""
        if not self.taxonomy_ok(taxonomy):
            return None
        within = f' in taxonomy "{taxonomy}"' if self.taxonomies is not None else ""
        if self.matcher == "code" and code:
            hit = next((v for v in self.values if v.casefold() == code.strip().casefold()), None)
            return f'code "{code.strip()}"{within}' if hit else None
        if self.matcher == "code_prefix" and code:
            hit = next((v for v in self.values if code.strip().casefold().startswith(v.casefold())), None)
            return f'code "{code.strip()}"{within} starts with "{hit}"' if hit else None
        if self.matcher == "name" and name:
            hit = next((v for v in self.values if _text(v) == _text(name)), None)
            return f'name "{" ".join(name.split())}"' if hit else None
        if self.matcher == "keywords" and name:
            return self.match_keywords(name, "name")
        return None

    def match_keywords(self, text: str, where: str) -> str | None:
        folded = _text(text)
        for keyword, pattern in zip(self.values, self.patterns, strict=True):
            if pattern.search(folded):
                return f'keyword "{keyword}" in {where}'
        return None


def _strings(value: Any) -> list[str] | None:
    """A string or a list of non-empty strings, as a list; None when it is neither."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items:
        return None
    if not all(isinstance(v, str) and v.strip() for v in items):
        return None
    return [v.strip() for v in items]


def parse_rules(doc: Any, file: str, need_codes: Sequence[str]) -> tuple[list[Rule], list[Problem]]:
    """Rules of one parsed file (`read_yaml`), and every problem found in it."""
    problems: list[Problem] = []
    rules: list[Rule] = []
    items = doc.get("rules") if isinstance(doc, dict) else None
    if not isinstance(items, list):
        problems.append(Problem(file, line_of(doc), "rules", "the file must have a list `rules`"))
        return rules, problems
    known = set(need_codes)
    for i, item in enumerate(items):
        where = f"rules[{i}]"
        if not isinstance(item, dict):
            problems.append(Problem(file, line_of(doc), where, "a rule must be a mapping"))
            continue
        line = line_of(item)
        before = len(problems)
        for extra in sorted(set(item) - RULE_FIELDS, key=str):
            problems.append(Problem(file, line, f"{where}.{extra}", "unknown field"))
        present = [m for m in MATCHERS if m in item]
        if len(present) != 1:
            problems.append(Problem(file, line, where, f"needs exactly one of {', '.join(MATCHERS)}"
                                    + (f", has {', '.join(present)}" if present else "")))
        values = _strings(item.get(present[0])) if len(present) == 1 else None
        if len(present) == 1 and values is None:
            problems.append(Problem(file, line, f"{where}.{present[0]}", _NOT_STRINGS))
        taxonomies: frozenset[str] | None = None
        if "taxonomy" in item:
            names = _strings(item["taxonomy"])
            if names is None:
                problems.append(Problem(file, line, f"{where}.taxonomy", _NOT_STRINGS))
            else:
                taxonomies = frozenset(_taxonomy_key(n) for n in names)
        needs = item.get("needs")
        if not isinstance(needs, list) or not needs:
            problems.append(Problem(file, line, f"{where}.needs", "must be a non-empty list of NeedCodes"))
            needs = []
        for need in needs:
            if need not in known:
                problems.append(Problem(file, line, f"{where}.needs", f"{need!r} is not a NeedCode "
                                        f"(one of {', '.join(need_codes)})"))
        if len(problems) == before and values is not None:
            rules.append(Rule(present[0], tuple(values), frozenset(needs), taxonomies, file, line))
    return rules, problems


class NeedsMapping:
    """An ordered list of rules; see the module docstring."""

    def __init__(self, rules: Iterable[Rule], need_codes: Sequence[str]) -> None:
        self.rules = list(rules)
        self.need_codes = tuple(need_codes)

    @classmethod
    def load(cls, extra: Path | None = None, *, builtin: Path = BUILTIN_FILE,
             need_codes: Sequence[str] | None = None) -> NeedsMapping:
        """The built-in rules, after those of `extra` when given.

        Raises InvalidData naming file, line and field of every problem in either file.
        """
        if need_codes is None:
            from graph.model import load_model

            need_codes = load_model().enum("NeedCode")
        rules: list[Rule] = []
        problems: list[Problem] = []
        for path in ([extra] if extra is not None else []) + [builtin]:
            found, wrong = parse_rules(read_yaml(path), path.name, need_codes)
            rules.extend(found)
            problems.extend(wrong)
        if problems:
            raise InvalidData(problems)
        return cls(rules, need_codes)

    def match_term(self, taxonomy: str | None, code: str | None, name: str | None,
                   description: str | None) -> tuple[Rule, str] | None:
        """The first rule that matches the term, and why; None when none does."""
        for rule in self.rules:
            why = rule.match_term(taxonomy, code, name)
            if why is not None:
                return rule, why
        if description and description.strip():
            for rule in self.rules:
                if rule.matcher == "keywords" and rule.taxonomy_ok(taxonomy):
                    why = rule.match_keywords(description, "description")
                    if why is not None:
                        return rule, why
        return None

    def needs_for_term(self, taxonomy: str | None, code: str | None, name: str | None,
                       description: str | None) -> tuple[frozenset[str], str | None]:
        """The needs of a taxonomy term and the rule that gave them (e.g. 'keyword "shelter" in
        name'); (frozenset(), None) when no rule matches."""
        found = self.match_term(taxonomy, code, name, description)
        if found is None:
            return frozenset(), None
        return found[0].needs, found[1]

    def need_of(self, value: str | None) -> str | None:
        """The NeedCode a value names ("SHELTER", "legal aid", "legal-aid"), or None."""
        if value is None:
            return None
        code = "_".join(re.split(r"[\s\-]+", value.strip())).upper()
        return code if code in self.need_codes else None

    def needs_for_attribute(self, value: str | None, term_needs: frozenset[str]) -> frozenset[str]:
        """An attribute links a service to a term: the term's needs, plus the need its value
        names when it names one."""
        need = self.need_of(value)
        return term_needs | {need} if need else term_needs
