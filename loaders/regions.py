"""Placing an address or a point in one of the 20 regions of data/kazakhstan/regions.csv.

Names come from regions.csv (name_en, name_ru, center_en) and data/kazakhstan/region_aliases.yaml
(Kazakh, Russian, English, former names, and cities mapped to their region). Matching is on the
whole normalised text: case, punctuation, quotes, hyphens and dots do not matter, and the Kazakh
letters are folded to their Russian look-alikes (ә=а ғ=г қ=к ң=н ө=о ұ=у ү=у һ=х і=и), so a
name typed without a Kazakh keyboard matches too.

Generic words ("region", "oblast", "обл", "облысы", "city", "г", "город", "қаласы" ...) are
dropped only when the exact text is not a known name and the remaining words still point to one
region; a region word keeps only regions (so "Almaty obl." is Almaty Region, never the city), a
city word keeps only names of cities (so "г. Алматы" is the city of Almaty).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from graph.exceptions import InvalidData, Problem
from loaders.yamlsrc import LINE, line_of, read_yaml

ALIAS_FILE = "region_aliases.yaml"
ALIAS_GROUPS = ("kk", "ru", "en", "former", "cities")

_FOLD = str.maketrans({"ә": "а", "ғ": "г", "қ": "к", "ң": "н", "ө": "о", "ұ": "у", "ү": "у",
                       "һ": "х", "і": "и", "ı": "i", "ё": "е"})
_NON_WORD = re.compile(r"[\W_]+")
_PARTS = re.compile(r"[,;/()\[\]]")

REGION_WORDS = frozenset({"region", "oblast", "obl", "oblys", "oblysy", "province", "область", "области",
                          "обл", "облыс", "облысы"})
CITY_WORDS = frozenset({"city", "town", "g", "г", "город", "гор", "каласы", "kalasy", "qalasy"})
COUNTRY_NAMES = frozenset({"kz", "kaz", "398", "kazakhstan", "kazakstan", "kazahstan", "qazaqstan",
                           "republic of kazakhstan", "the republic of kazakhstan", "казахстан",
                           "казакстан", "республика казахстан", "казакстан республикасы"})

# Kazakhstan's extent, roughly (it also takes in bits of the neighbours)
LAT_RANGE = (40.5, 55.6)
LON_RANGE = (46.4, 87.4)
_EARTH_KM = 6371.0


@lru_cache(maxsize=8192)  # place names repeat row after row
def normalize(text: str) -> str:
    """Casefold, fold Kazakh letters and accents, punctuation to spaces, spaces collapsed."""
    folded = unicodedata.normalize("NFKD", text.casefold().translate(_FOLD))
    bare = "".join(c for c in folded if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", bare).strip()


def is_kazakhstan(country: str | None) -> bool | None:
    """True for KZ, KAZ, 398, Kazakhstan, Казахстан, Қазақстан...; None when blank."""
    if country is None or not normalize(country):
        return None
    return normalize(country) in COUNTRY_NAMES


def _haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_KM * math.asin(math.sqrt(a))


def _strip_generic(norm: str) -> tuple[str, str | None]:
    """The words left without generic ones, and "region", "city" or None for what was dropped."""
    words = norm.split()
    region = any(w in REGION_WORDS for w in words)
    city = any(w in CITY_WORDS for w in words)
    core = " ".join(w for w in words if w not in REGION_WORDS and w not in CITY_WORDS)
    mark = "region" if region and not city else "city" if city and not region else None
    if region and city:
        mark = "both"
    return core, mark


class RegionResolver:
    """Region codes from names, addresses and points.

    `regions` are the rows of `loaders.kazakhstan.read_regions` (code, kind, name_en, name_ru,
    center_en, lat, lon); `aliases` is the parsed alias file: {code: {group: [name, ...]}}, with
    the `__line__` keys of `loaders.yamlsrc.read_yaml` when there are any (for the errors).
    """

    def __init__(self, regions: Sequence[Mapping[str, Any]], aliases: Mapping[str, Any] | None = None,
                 *, alias_file: str = ALIAS_FILE) -> None:
        self._regions = [dict(r) for r in regions]
        self._kind = {str(r["code"]): str(r.get("kind") or "region") for r in regions}
        self._names: dict[str, list[str]] = {code: [] for code in self._kind}
        self._exact: dict[str, str] = {}
        self._core: dict[str, dict[str, bool]] = {}
        problems: list[Problem] = []
        where: dict[str, str] = {}

        def add(code: str, name: str, is_city: bool, line: int | None, field: str) -> None:
            norm = normalize(name)
            if not norm:
                problems.append(Problem(alias_file, line, field, f"empty name {name!r}"))
                return
            other = self._exact.get(norm)
            if other is not None and other != code:
                problems.append(Problem(alias_file, line, field,
                                        f"{name!r} is also a name of {other} ({where[norm]})"))
                return
            self._exact[norm] = code
            where.setdefault(norm, field)
            self._names[code].append(name)
            core, _ = _strip_generic(norm)
            if core:
                entry = self._core.setdefault(core, {})
                entry[code] = entry.get(code, False) or is_city or self._kind[code] == "city"

        for r in regions:
            code = str(r["code"])
            add(code, str(r["name_en"]), False, None, f"regions.csv {code} name_en")
            add(code, str(r["name_ru"]), False, None, f"regions.csv {code} name_ru")
            add(code, str(r["center_en"]), True, None, f"regions.csv {code} center_en")
        for code, groups in (aliases or {}).items():
            if code == LINE:
                continue
            line = line_of(groups)
            if code not in self._kind:
                problems.append(Problem(alias_file, line, str(code), "unknown region code"))
                continue
            if not isinstance(groups, Mapping):
                problems.append(Problem(alias_file, line, code, "must map kk, ru, en, former, cities"))
                continue
            for group, names in groups.items():
                if group == LINE:
                    continue
                field = f"{code}.{group}"
                if group not in ALIAS_GROUPS:
                    problems.append(Problem(alias_file, line, field,
                                            f"unknown group (one of {', '.join(ALIAS_GROUPS)})"))
                    continue
                if names is None:
                    continue
                if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                    problems.append(Problem(alias_file, line, field, "must be a list of names"))
                    continue
                for name in names:
                    add(code, name, group == "cities", line, field)
        if problems:
            raise InvalidData(problems)

    @classmethod
    def load(cls, data_dir: Path | None = None) -> RegionResolver:
        """From regions.csv and region_aliases.yaml in `data_dir` (data/kazakhstan by default)."""
        from loaders.kazakhstan import DATA_DIR, read_regions  # here: it pulls in the graph writer

        folder = data_dir or DATA_DIR
        return cls(read_regions(folder / "regions.csv"), read_yaml(folder / ALIAS_FILE))

    @property
    def codes(self) -> list[str]:
        return list(self._kind)

    def names(self) -> dict[str, list[str]]:
        """Every name that resolves to each code (regions.csv names and the aliases)."""
        return {code: list(names) for code, names in self._names.items()}

    def _one(self, text: str) -> str | None:
        norm = normalize(text)
        if not norm:
            return None
        if norm in self._exact:
            return self._exact[norm]
        core, mark = _strip_generic(norm)
        found = self._core.get(core, {})
        if mark == "region":
            codes = [c for c in found if self._kind[c] == "region"]
        elif mark == "city":
            codes = [c for c, is_city in found.items() if is_city]
        else:
            codes = list(found)
        return codes[0] if len(codes) == 1 else None

    def by_name(self, text: str | None) -> str | None:
        """The region code a name stands for, or None when unknown or ambiguous.

        The whole text is tried first; then, if it has commas, semicolons, slashes or brackets,
        each part, and the answer is the one region the parts that resolve agree on.
        """
        if text is None:
            return None
        code = self._one(text)
        if code is not None:
            return code
        parts = [p for p in _PARTS.split(text) if p.strip()]
        if len(parts) < 2:
            return None
        found = {c for c in (self._one(p) for p in parts) if c is not None}
        return found.pop() if len(found) == 1 else None

    def by_address(self, region: str | None, state_province: str | None, city: str | None,
                   country: str | None) -> tuple[str | None, str]:
        """The region of an address and why: state_province first, then region, then city.

        A country that is given and is not Kazakhstan gives (None, "outside Kazakhstan").
        """
        if is_kazakhstan(country) is False:
            return None, "outside Kazakhstan"
        tried: list[str] = []
        for field, value in (("state_province", state_province), ("region", region), ("city", city)):
            if value is None or not value.strip():
                continue
            shown = f'{field} "{value.strip()}"'
            code = self.by_name(value)
            if code is not None:
                return code, shown
            tried.append(shown)
        if not tried:
            return None, "no region, state_province or city given"
        return None, "no region recognised in " + ", ".join(tried)

    def by_point(self, lat: float, lon: float) -> str | None:
        """The region whose center (regions.csv) is nearest by great-circle distance.

        An approximation by region centers, not a point-in-polygon test: near a border, and
        around Almaty, Astana and Shymkent (cities inside a region), a point may be given the
        neighbour. None outside Kazakhstan's bounding box (lat 40.5..55.6, lon 46.4..87.4), which
        itself takes in bits of the neighbouring countries.
        """
        if not (LAT_RANGE[0] <= lat <= LAT_RANGE[1] and LON_RANGE[0] <= lon <= LON_RANGE[1]):
            return None
        best = min(self._regions, key=lambda r: _haversine_km(lat, lon, float(r["lat"]), float(r["lon"])))
        return str(best["code"])

    is_kazakhstan = staticmethod(is_kazakhstan)
