"""Organization name keys, for merging the same organization coming from several sources.

A key is a fingerprint (`fingerprints.generate`: lower case, transliterated to ASCII, punctuation
and bracketed text removed, words sorted, a few legal forms abbreviated) of:

- the name and each alternate name;
- the part in quotes ("...", «...», “...”, „...“) and the rest without it, so that
  'Legal Center for Women's Initiatives "Sana Sezim"' has the keys "sana sezim" and
  "center for initiatives legal womens" besides the whole name;
- each of those without its legal-form words (Public Foundation, ОФ, ТОО, LLP, NGO, ...), so
  that "Public Foundation Rodnik" and "Rodnik" meet.

Keys shorter than 4 characters, and keys made only of generic words (legal forms, "center",
"crisis", "ministry", "Kazakhstan", ...), are dropped: "Public Foundation" or "Crisis centre"
alone never merges anything. A key from part of a name also needs a word that is not a place
(Almaty, Алматинской, Shymkent ...): "Crisis Centre Almaty" is a key as a whole name only.
A key shared by two organizations is never used to merge: `match` returns None and `ambiguous`
names the organizations, for the caller to report.

Kazakh letters are folded to their Russian look-alikes before fingerprinting (the transliteration
used by `fingerprints` turns ө, ұ, ү, ң, һ into "?" and қ into "k?"): "Қоғамдық қор" -> "kogamdyk kor".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import fingerprints

MIN_KEY_LENGTH = 4
_FOLD = str.maketrans("әғқңөұүһіӘҒҚҢӨҰҮҺІ", "агкноуухиАГКНОУУХИ")
_QUOTED = re.compile(r'"([^"]+)"|«([^«»]+)»|“([^“”]+)”|„([^„“”]+)[“”]')

# Legal forms: dropped to make the "without its legal form" key; generic too.
LEGAL_FORMS = (
    "public foundation", "public fund", "public association", "foundation", "fund", "association",
    "corporate fund", "charitable foundation", "charity", "charitable", "non-governmental",
    "nongovernmental", "non-profit", "nonprofit", "non-commercial", "noncommercial", "organization",
    "organisation", "NGO", "NPO", "NCO", "LLP", "LLC", "Ltd", "limited", "JSC", "Inc",
    "private institution", "state institution", "общественный фонд", "общественное объединение",
    "корпоративный фонд", "благотворительный фонд", "частное учреждение", "объединение юридических лиц",
    "ассоциация", "фонд", "некоммерческая организация", "неправительственная организация", "организация",
    "государственное учреждение", "коммунальное государственное учреждение", "учреждение",
    "предприятие", "ОФ", "ПФ", "ОО", "ОЮЛ", "КФ", "БФ", "ЧУ", "ТОО", "АО", "НАО", "НПО", "НКО", "ГУ",
    "КГУ", "РГУ", "РГП", "ГКП", "КГП", "ЖШС", "АҚ", "ҚҚ", "ҚБ", "ЗТБ", "қоғамдық қор", "қоғамдық бірлестік",
    "қоры", "қор", "бірлестігі", "ұйым", "ұйымы", "мекеме", "мекемесі", "Qogamdyq qor", "Qogamdyq qory",
    "Qogamdyq birlestik", "JShS", "ZhShS",
)
# Words that do not name one organization: a key made only of these (and legal forms) is dropped.
GENERIC_WORDS = (
    "center", "centre", "crisis", "shelter", "hotline", "helpline", "help", "support", "assistance",
    "aid", "service", "services", "social", "legal", "department", "ministry", "committee", "agency",
    "office", "administration", "akimat", "state", "national", "republican", "international",
    "regional", "city", "district", "oblast", "region", "kazakhstan", "republic", "women", "womens",
    "children", "family", "people", "victims", "rights", "human", "protection", "union", "council",
    "the", "of", "for", "and", "in", "on", "at", "to", "a", "an",
    "центр", "кризисный", "приют", "помощь", "помощи", "поддержки", "горячая", "линия", "служба",
    "социальный", "социальных", "специальных", "оказания", "услуг", "юридический", "правовой",
    "департамент", "министерство", "комитет", "управление", "отдел", "акимат", "акимата",
    "государственный", "государственное", "коммунальное", "республиканский", "республиканское",
    "национальный", "международный", "международная", "региональный", "город", "г", "области",
    "область", "района", "Казахстан", "Республики", "Республика", "женщин", "детей", "семьи",
    "защиты", "прав", "человека", "жертв", "союз", "для", "по", "и", "в", "на",
    "орталығы", "орталық", "дағдарыс", "дағдарыстық", "көмек", "әлеуметтік", "басқармасы",
    "министрлігі", "комитеті", "әкімдігі", "қаласы", "облысы", "әйелдер", "балалар", "отбасы",
    "құқық", "қорғау", "Қазақстан", "Республикасы", "және",
)
# Places: a key taken from part of a name (the quoted part, the rest, the name without its legal
# form) must have a word that is neither generic nor one of these, or "КГУ «...» акимата г. Алматы"
# would give the key "akimata almaty g", shared by every institution of Almaty's akimat.
PLACE_WORDS = (
    "Abai", "Abay", "Абай", "Akmola", "Акмола", "Акмолинской", "Aktobe", "Актобе", "Актюбинской",
    "Almaty", "Алматы", "Алматинской", "Atyrau", "Атырау", "Атырауской", "East", "Восточно",
    "Jambyl", "Zhambyl", "Жамбыл", "Жамбылской", "Jetisu", "Zhetisu", "Жетісу", "Жетысу", "Karaganda",
    "Karagandy", "Караганда", "Караганды", "Карагандинской", "Kostanay", "Костанай", "Костанайской",
    "Kyzylorda", "Кызылорда", "Кызылординской", "Mangystau", "Мангистау", "Мангистауской", "North",
    "Северо", "Pavlodar", "Павлодар", "Павлодарской", "Turkistan", "Туркестан", "Туркестанской",
    "Ulytau", "Улытау", "Улытауской", "West", "Западно", "South", "Южно", "Astana", "Астана",
    "Shymkent", "Шымкент", "Semey", "Семей", "Kokshetau", "Кокшетау", "Konaev", "Конаев", "Oskemen",
    "Оскемен", "Усть-Каменогорск", "Taraz", "Тараз", "Taldykorgan", "Талдыкорган", "Aktau", "Актау",
    "Petropavl", "Петропавл", "Петропавловск", "Oral", "Орал", "Уральск", "Zhezkazgan", "Жезказган",
    "казахстанской", "Kazakhstan", "Казахстан", "Қазақстан",
)


def _fold(text: str) -> str:
    return text.translate(_FOLD)


@lru_cache(maxsize=4096)  # parts such as a legal form alone ("ОФ", "КГУ") come again and again
def name_fingerprint(name: str) -> str:
    """`fingerprints.generate` of the whole name (Kazakh letters folded first); "" if nothing left."""
    return fingerprints.generate(_fold(name)) or ""


def _tokens(phrases: Iterable[str]) -> frozenset[str]:
    return frozenset(t for p in phrases for t in name_fingerprint(p).split())


LEGAL_TOKENS = _tokens(LEGAL_FORMS)
GENERIC_TOKENS = _tokens(GENERIC_WORDS) | LEGAL_TOKENS
PLACE_TOKENS = _tokens(PLACE_WORDS)


def _usable(key: str, *, whole: bool) -> bool:
    """Long enough, and with a word that names something: whole names may rely on a place."""
    dull = GENERIC_TOKENS if whole else GENERIC_TOKENS | PLACE_TOKENS
    return len(key) >= MIN_KEY_LENGTH and any(len(t) > 1 and t not in dull for t in key.split())


@dataclass(frozen=True)
class NameKey:
    """One key, and where it comes from, for a reason a person can read."""

    key: str
    source: str  # e.g. 'alternate name "Sana Sezim Center"'
    rank: int  # 0 is the strongest evidence (a whole name)


def _quoted_parts(text: str) -> list[str]:
    return [next(g for g in m.groups() if g is not None).strip() for m in _QUOTED.finditer(text)]


def _without_quotes(text: str) -> str:
    return " ".join(_QUOTED.sub(" ", text).split())


def _keys(name: str, alternates: Iterable[str]) -> list[NameKey]:
    return _keys_of(name, tuple(alternates))


@lru_cache(maxsize=8)  # one organization's names are looked up, matched and indexed in a row
def _keys_of(name: str, alternates: tuple[str, ...]) -> list[NameKey]:
    raw: list[NameKey] = []
    texts = [("name", name)] + [("alternate name", a) for a in alternates if a]
    for kind, text in texts:
        base = 0 if kind == "name" else 1
        raw.append(NameKey(name_fingerprint(text), f'{kind} "{text}"', base))
        quoted = _quoted_parts(text)
        for part in quoted:
            raw.append(NameKey(name_fingerprint(part), f'quoted part "{part}" of {kind} "{text}"', base + 2))
        rest = _without_quotes(text)
        if quoted and rest:
            raw.append(NameKey(name_fingerprint(rest), f'{kind} without its quoted part "{rest}"', base + 2))
    best: dict[str, NameKey] = {}
    for k in raw:
        core = " ".join(t for t in k.key.split() if t not in LEGAL_TOKENS)
        for key in (k, NameKey(core, f"{k.source} without its legal form", k.rank + 4)):
            if _usable(key.key, whole=key.rank < 2) and (
                    key.key not in best or key.rank < best[key.key].rank):
                best[key.key] = key
    return sorted(best.values(), key=lambda k: k.rank)


def name_keys(name: str, alternate_names: Iterable[str] = ()) -> set[str]:
    """Every usable key of an organization's names (see the module docstring)."""
    return {k.key for k in _keys(name, alternate_names)}


class NameIndex:
    """Keys of known organizations, to find the one an incoming record is a duplicate of."""

    def __init__(self) -> None:
        self._by_key: dict[str, dict[str, NameKey]] = {}

    def add(self, org_id: str, name: str, alternates: Iterable[str] = ()) -> None:
        """Index an organization; adding the same id again adds its further names."""
        for k in _keys(name, alternates):
            self._by_key.setdefault(k.key, {}).setdefault(org_id, k)

    def _hits(self, name: str, alternates: Iterable[str]) -> list[tuple[NameKey, str, NameKey]]:
        hits: list[tuple[NameKey, str, NameKey]] = []
        for k in _keys(name, alternates):
            for org_id, theirs in self._by_key.get(k.key, {}).items():
                hits.append((k, org_id, theirs))
        return hits

    def ambiguous(self, name: str, alternates: Iterable[str] = ()) -> list[str]:
        """The organizations an incoming record's keys point to, when they are more than one."""
        orgs = sorted({org_id for _, org_id, _ in self._hits(name, alternates)})
        return orgs if len(orgs) > 1 else []

    def match(self, name: str, alternates: Iterable[str] = ()) -> tuple[str, str] | None:
        """(existing id, reason) when the keys point to exactly one organization, else None.

        None also when they point to several: see `ambiguous`.
        """
        hits = self._hits(name, alternates)
        if len({org_id for _, org_id, _ in hits}) != 1:
            return None
        ours, org_id, theirs = min(hits, key=lambda h: (h[0].rank + h[2].rank, h[0].rank))
        return org_id, f"{ours.source} matches existing {theirs.source}"


def find_match(incoming_name: str, incoming_alternates: Iterable[str],
               candidates: Mapping[str, tuple[str, Sequence[str]]]) -> tuple[str, str] | None:
    """`NameIndex.match` over candidates given as {id: (name, alternate names)}."""
    index = NameIndex()
    for org_id, (name, alternates) in candidates.items():
        index.add(org_id, name, alternates)
    return index.match(incoming_name, list(incoming_alternates))


def match_reason(incoming_name: str, incoming_alternates: Iterable[str], existing_name: str,
                 existing_alternates: Iterable[str]) -> str | None:
    """Why two organizations are the same one, or None when no key of theirs is shared."""
    found = find_match(incoming_name, incoming_alternates, {"existing": (existing_name,
                                                                         list(existing_alternates))})
    return found[1] if found else None
