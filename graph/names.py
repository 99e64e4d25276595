"""Person names across scripts and spellings: Жанибек, Zhanibek, Janibek and Dzhanibek are one
name; Келекеева, Kelekeyeva and Kelekeeva one surname.

A name is tokenized (rigour.names), each word romanized under several schemes (rigour's
transliteration, ICU's BGN/PCGN Russian and Kazakh schemes, anyascii), and each romanization
folded: the spelling differences between romanization schemes (zh/j/dzh, kh/h, q/k, ye/e, y/i,
doubled letters) are levelled so that the schemes agree. Libraries do the transliteration; the
fold is the one table of our own, because no scheme-to-scheme folding exists in them.
Patronymics (-ovich, -ovna, -uly, -kyzy, "uly" and "kyzy" alone) are set apart, and surnames
lose the feminine -a of -ova/-eva/-ina so that a man's and a woman's forms share a key.

`name_keys` gives the keys to look candidates up by; `compare_names` and `score_pair` score two
people with the reasons for each part of the score. Pure functions, no database."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import icu
from anyascii import anyascii
from rapidfuzz.distance import JaroWinkler
from rigour.names import tokenize_name
from rigour.text.translit import ascii_text

_ICU_SCHEMES = ("Russian-Latin/BGN; Latin-ASCII", "Kazakh-Latin/BGN; Latin-ASCII")
_FOLDS = (("shch", "sh"), ("sch", "sh"), ("dzh", "j"), ("dj", "j"), ("zh", "j"), ("kh", "h"),
          ("gh", "g"), ("tch", "ch"), ("ts", "c"), ("tz", "c"), ("q", "k"), ("w", "v"),
          ("x", "ks"), ("ph", "f"), ("yu", "u"), ("iu", "u"), ("ya", "a"), ("ia", "a"),
          ("ye", "e"), ("ie", "e"), ("yo", "o"), ("io", "o"), ("y", "i"))
_DOUBLE = re.compile(r"(.)\1+")
_NOT_ALNUM = re.compile(r"[^a-z0-9]")
_PATRONYMIC = re.compile(r"(ovich|evich|ovna|evna|ichna|uli|kizi|ogli|oglu)$")
_MARKERS = frozenset({"uli", "kizi", "ogli", "oglu", "ulu"})
_FEMININE = (("ova", "ov"), ("eva", "ev"), ("ina", "in"), ("skaa", "ski"))
_MASCULINE = re.compile(r"(ov|ev|in|ski)$")

JW_SAME = 0.95  # folded words this similar are taken as one name written two ways


@lru_cache(maxsize=8)
def _icu(scheme: str) -> icu.Transliterator:
    return icu.Transliterator.createInstance(scheme)


@lru_cache(maxsize=200_000)
def romanizations(word: str) -> tuple[str, ...]:
    """The word in lower-case ASCII under each scheme (distinct, rigour's first)."""
    out = [ascii_text(word).lower()]
    if not word.isascii():
        # a scheme leaves letters it does not know (BGN Russian: the Kazakh ә, і, ұ...) as they
        # are; rigour's transliteration finishes those
        out += [ascii_text(_icu(s).transliterate(word)).lower() for s in _ICU_SCHEMES]
        out.append(anyascii(word).lower())
    seen: dict[str, None] = {}
    for r in out:
        r = _NOT_ALNUM.sub("", r)
        if r:
            seen.setdefault(r, None)
    return tuple(seen)


@lru_cache(maxsize=200_000)
def fold(romanized: str) -> str:
    """Level romanization differences: 'dzhanibek', 'zhanibek', 'janibek' -> 'janibek';
    'kelekeyeva', 'kelekeeva' -> 'kelekeva'."""
    w = romanized.lower()
    for a, b in _FOLDS:
        w = w.replace(a, b)
    return _DOUBLE.sub(r"\1", w)


def stem(folded: str) -> str:
    """A surname's masculine form: 'kelekeva' -> 'kelekev'; other words unchanged."""
    for fem, masc in _FEMININE:
        if folded.endswith(fem) and len(folded) > len(fem) + 2:
            return folded[: -len(fem)] + masc
    return folded


@dataclass(frozen=True)
class Word:
    """One word of a name: as written, its folded forms (one per scheme) and their stems."""

    text: str
    folded: tuple[str, ...]
    stems: frozenset[str]
    feminine: bool

    @property
    def key(self) -> str:
        return self.folded[0]


@dataclass(frozen=True)
class ParsedName:
    text: str
    words: tuple[Word, ...]
    patronymic: Word | None


@lru_cache(maxsize=100_000)
def _word(token: str) -> Word:
    folded = tuple(dict.fromkeys(fold(r) for r in romanizations(token)))
    return Word(token, folded, frozenset(stem(f) for f in folded),
                any(f != stem(f) for f in folded))


@lru_cache(maxsize=100_000)
def parse_name(name: str) -> ParsedName:
    """Split a name into its words and its patronymic ('Serikovich', 'Nurlanuly', 'Nurlan uly')."""
    tokens = [t for t in tokenize_name(name) if t]
    words: list[Word] = []
    patronymic: Word | None = None
    for token in tokens:
        w = _word(token)
        if not w.folded:
            continue
        if w.key in _MARKERS and words:
            patronymic = _word(words.pop().text + w.text)
        elif _PATRONYMIC.search(w.key) and len(w.key) > 6 and patronymic is None and len(tokens) > 1:
            patronymic = w
        else:
            words.append(w)
    return ParsedName(name, tuple(words), patronymic)


def name_keys(*names: str) -> list[str]:
    """The look-up keys of a person's names: every word's stems under every scheme."""
    keys: dict[str, None] = {}
    for name in names:
        for w in parse_name(name).words:
            for s in sorted(w.stems):
                if len(s) >= 2:
                    keys.setdefault(s, None)
    return list(keys)


def word_similarity(a: Word, b: Word) -> float:
    """1.0 when a folded stem is shared; else the best Jaro-Winkler similarity of stems."""
    if a.stems & b.stems:
        return 1.0
    return max(JaroWinkler.normalized_similarity(x, y) for x in a.stems for y in b.stems)


@dataclass(frozen=True)
class NameComparison:
    score: float
    reasons: tuple[str, ...]
    gender_differs: bool = False
    weakest: float = 0.0  # the least similar aligned pair of words
    patronymics: tuple[str, str] | None = None  # both names' patronymics, when both have one
    patronymic: float | None = None  # their similarity


def _describe(a: Word, b: Word, sim: float) -> str:
    if a.text.lower() == b.text.lower():
        return f"{a.text} = {b.text}"
    if sim == 1.0:
        return f"{a.text} = {b.text} (one name transliterated: {sorted(a.stems & b.stems)[0]})"
    return f"{a.text} ≈ {b.text} ({round(100 * sim)}% alike)"


def compare_names(a: str, b: str) -> NameComparison:
    """Align the words of two names (any order), score 0..1 with the reasons."""
    pa, pb = parse_name(a), parse_name(b)
    if not pa.words or not pb.words:
        return NameComparison(0.0, ("no comparable name",))
    short, long_ = (pa, pb) if len(pa.words) <= len(pb.words) else (pb, pa)
    free = list(long_.words)
    sims: list[float] = []
    reasons: list[str] = []
    gender = False
    for w in short.words:
        best = max(free, key=lambda o: word_similarity(w, o))
        sim = word_similarity(w, best)
        free.remove(best)
        sims.append(sim)
        x, y = (w, best) if short is pa else (best, w)
        reasons.append(_describe(x, y, sim))
        if sim == 1.0 and x.feminine != y.feminine and _MASCULINE.search(sorted(x.stems)[0]):
            gender = True
    score = sum(sims) / len(sims)
    if free:
        score *= 0.9
        reasons.append(f"{', '.join(w.text for w in free)} only in {long_.text!r}")
    if pa.patronymic and pb.patronymic:
        return NameComparison(round(score, 4), tuple(reasons), gender, min(sims),
                              (pa.patronymic.text, pb.patronymic.text),
                              word_similarity(pa.patronymic, pb.patronymic))
    return NameComparison(round(score, 4), tuple(reasons), gender, min(sims))


def best_comparison(names_a: list[str], names_b: list[str]) -> tuple[str, str, NameComparison]:
    """The best-scoring pair of names (a person's name and aliases against another's)."""
    best: tuple[str, str, NameComparison] | None = None
    for x in names_a:
        for y in names_b:
            c = compare_names(x, y)
            if best is None or c.score > best[2].score:
                best = (x, y, c)
    if best is None:
        return "", "", NameComparison(0.0, ("no name",))
    return best


@dataclass(frozen=True)
class PersonFacts:
    """What scoring looks at: names (first is the main one), birth date, identifiers used."""

    names: list[str]
    birth_date: str | None = None
    identifiers: dict[str, str] = field(default_factory=dict)  # node id -> caption


@dataclass(frozen=True)
class MatchScore:
    score: float
    reasons: tuple[str, ...]


W_NAME, W_SAME_BIRTH, W_SAME_YEAR, W_OTHER_BIRTH = 0.6, 0.25, 0.1, -0.35
W_IDENTIFIER, MAX_IDENTIFIERS = 0.15, 2
W_PATRONYMIC_SAME, W_PATRONYMIC_OTHER, W_GENDER = 0.05, -0.15, -0.1


def _birth(a: str | None, b: str | None) -> tuple[float, str]:
    if not a or not b:
        return 0.0, "birth date known for " + ("neither" if not a and not b else "one only")
    if a == b:
        return W_SAME_BIRTH, f"same birth date {a}"
    if a[:4] == b[:4] and (len(a) == 4 or len(b) == 4 or (a[:7] == b[:7] and min(len(a), len(b)) == 7)):
        return W_SAME_YEAR, f"birth dates agree as far as both are known ({a} / {b})"
    return W_OTHER_BIRTH, f"born {a}, the other {b}"


def score_pair(a: PersonFacts, b: PersonFacts) -> MatchScore:
    """How likely a and b are one person (0..1), with one reason per part of the score."""
    _, _, names = best_comparison(a.names, b.names)
    reasons = [f"names {round(100 * names.score)}% alike: {'; '.join(names.reasons)}"]
    score = W_NAME * names.score
    if names.patronymics is not None and names.patronymic is not None:
        if names.patronymic >= JW_SAME:
            score += W_PATRONYMIC_SAME
            reasons.append(f"same patronymic ({' / '.join(names.patronymics)})")
        else:
            score += W_PATRONYMIC_OTHER
            reasons.append(f"different patronymics ({' / '.join(names.patronymics)})")
    if names.gender_differs:
        score += W_GENDER
        reasons.append("surname in a man's form in one record and a woman's in the other")
    delta, why = _birth(a.birth_date, b.birth_date)
    score += delta
    reasons.append(why)
    shared = sorted(set(a.identifiers) & set(b.identifiers))
    if shared:
        score += W_IDENTIFIER * min(len(shared), MAX_IDENTIFIERS)
        reasons.append("both use " + ", ".join(a.identifiers[i] for i in shared))
    return MatchScore(round(min(1.0, max(0.0, score)), 4), tuple(reasons))


def same_name(a: str, b: str) -> bool:
    """Whether two names are one name written in other scripts or spellings."""
    c = compare_names(a, b)
    return c.weakest >= JW_SAME and c.score >= JW_SAME and not c.gender_differs
