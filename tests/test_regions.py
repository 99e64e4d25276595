"""Placing names, addresses and points in the 20 regions; the ambiguous names stay apart."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.exceptions import InvalidData
from loaders.kazakhstan import DATA_DIR, read_regions
from loaders.regions import RegionResolver, is_kazakhstan, normalize
from loaders.yamlsrc import read_yaml

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def rr() -> RegionResolver:
    return RegionResolver.load()


def test_every_code_of_the_csv_is_known(rr: RegionResolver) -> None:
    assert sorted(rr.codes) == sorted(r["code"] for r in read_regions(DATA_DIR / "regions.csv"))
    assert len(rr.codes) == 20


def test_every_alias_resolves_to_its_code(rr: RegionResolver) -> None:
    names = rr.names()
    assert all(len(v) >= 4 for v in names.values())
    for code, aliases in names.items():
        for alias in aliases:
            assert rr.by_name(alias) == code, alias


@pytest.mark.parametrize(("text", "code"), [
    ("Almaty", "almaty"), ("Алматы", "almaty"), ("г. Алматы", "almaty"), ("г.Алматы", "almaty"),
    ("Алматы қаласы", "almaty"), ("Almaty city", "almaty"), ("город Алматы", "almaty"),
    ("Alma-Ata", "almaty"), ("ALMATY", "almaty"),
    ("Almaty Region", "almaty-region"), ("Almaty oblast", "almaty-region"),
    ("Алматинская область", "almaty-region"), ("Алматинская обл.", "almaty-region"),
    ("Алматы облысы", "almaty-region"), ("Almaty obl", "almaty-region"), ("Konaev", "almaty-region"),
    ("Kapchagay", "almaty-region"), ("Qonaev", "almaty-region"),
    ("Astana", "astana"), ("Nur-Sultan", "astana"), ("Нур-Султан", "astana"), ("Akmolinsk", "astana"),
    ("Астана қаласы", "astana"), ("Akmola city", "astana"), ("г. Акмола", "astana"),
    ("Akmola", "akmola"), ("Akmola Region", "akmola"), ("Акмолинская область", "akmola"),
    ("Ақмола облысы", "akmola"), ("Kokshetau", "akmola"),
    ("Shymkent", "shymkent"), ("Шымкент", "shymkent"), ("Chimkent", "shymkent"),
    ("г. Шымкент", "shymkent"), ("Шымкент қаласы", "shymkent"),
    ("Turkistan Region", "turkistan"), ("Туркестанская область", "turkistan"),
    ("Түркістан облысы", "turkistan"), ("South Kazakhstan Region", "turkistan"),
    ("Chimkent obl.", "turkistan"), ("Turkistan", "turkistan"), ("Kentau", "turkistan"),
    ("Semey", "abai"), ("Семипалатинск", "abai"), ("Абай облысы", "abai"),
    ("Oskemen", "east-kazakhstan"), ("Ust-Kamenogorsk", "east-kazakhstan"),
    ("Усть Каменогорск", "east-kazakhstan"), ("ВКО", "east-kazakhstan"),
    ("Ridder", "east-kazakhstan"), ("Taldykorgan", "jetisu"), ("Taldy-Kurgan", "jetisu"),
    ("Жетісу облысы", "jetisu"), ("Zhezkazgan", "ulytau"), ("Dzhezkazgan", "ulytau"),
    ("Satpayev", "ulytau"), ("Ұлытау облысы", "ulytau"), ("Ekibastuz", "pavlodar"),
    ("Temirtau", "karaganda"), ("Balkhash", "karaganda"), ("Qaraghandy", "karaganda"),
    ("Zhanaozen", "mangystau"), ("Aqtau", "mangystau"), ("Rudny", "kostanay"),
    ("Qostanay", "kostanay"), ("Baikonur", "kyzylorda"), ("Qyzylorda", "kyzylorda"),
    ("Stepnogorsk", "akmola"), ("Taraz", "jambyl"), ("Aqtobe", "aktobe"), ("Atyrau", "atyrau"),
    ("Oral", "west-kazakhstan"), ("Uralsk", "west-kazakhstan"), ("Petropavl", "north-kazakhstan"),
    ("Petropavlovsk", "north-kazakhstan"), ("Pavlodar", "pavlodar"), ("Karaganda", "karaganda"),
    ("  «Туркестанская  область» ", "turkistan"), ("Караганда г.", "karaganda"),
])
def test_names(rr: RegionResolver, text: str, code: str) -> None:
    assert rr.by_name(text) == code


@pytest.mark.parametrize("text", ["", "   ", "Region", "обл.", "г.", "Kazakhstan", "Paris",
                                  "Astana Region", "Shymkent Region", "Abai city", "Almaty Region city",
                                  "Tashkent", "Almaty, Almaty Region"])
def test_unknown_or_ambiguous_names(rr: RegionResolver, text: str) -> None:
    assert rr.by_name(text) is None
    assert rr.by_name(None) is None


def test_kazakh_letters(rr: RegionResolver) -> None:
    # ә ғ қ ң ө ұ ү һ і, with and without a Kazakh keyboard
    for kk, ru in [("Ақтөбе", "Актобе"), ("Өскемен", "Оскемен"), ("Қызылорда", "Кызылорда"),
                   ("Маңғыстау облысы", "Мангыстау облысы"), ("Ұлытау", "Улытау"),
                   ("Түркістан облысы", "Туркистан облысы"), ("Сәтбаев", "Сатбаев"),
                   ("Жетісу облысы", "Жетису облысы"), ("Қарағанды", "Караганды")]:
        assert rr.by_name(kk) is not None, kk
        assert rr.by_name(kk) == rr.by_name(ru), (kk, ru)
    assert normalize("ӘҒҚҢӨҰҮҺІ әғқңөұүһі") == "агкноуухи агкноуухи"
    assert normalize("Qaraǵandy") == normalize("Qaragandy")


def test_comma_separated_parts(rr: RegionResolver) -> None:
    assert rr.by_name("Karasai district, Almaty Region") == "almaty-region"
    assert rr.by_name("Almaty, Kazakhstan") == "almaty"
    assert rr.by_name("Astana (Nur-Sultan)") == "astana"


def test_points(rr: RegionResolver) -> None:
    assert rr.by_point(43.2567, 76.9286) == "almaty"  # Almaty, Abai avenue
    assert rr.by_point(42.3417, 69.5901) == "shymkent"
    assert rr.by_point(51.1282, 71.4304) == "astana"
    assert rr.by_point(47.0945, 51.9238) == "atyrau"
    assert rr.by_point(50.4111, 80.2275) == "abai"  # Semey
    assert rr.by_point(48.8566, 2.3522) is None  # Paris
    assert rr.by_point(39.0, 70.0) is None  # south of the box
    assert rr.by_point(56.0, 70.0) is None  # north of the box


def test_address_precedence_and_reasons(rr: RegionResolver) -> None:
    assert rr.by_address(None, "Туркестанская область", "Шымкент", "KZ") == (
        "turkistan", 'state_province "Туркестанская область"')
    assert rr.by_address("Almaty Region", None, "Almaty", None) == ("almaty-region", 'region "Almaty Region"')
    assert rr.by_address(None, "  ", "Шымкент", "Kazakhstan") == ("shymkent", 'city "Шымкент"')
    assert rr.by_address("Akmola", "Nowhere land", None, "Қазақстан") == ("akmola", 'region "Akmola"')
    assert rr.by_address(None, None, "Semey", "KAZ") == ("abai", 'city "Semey"')


def test_address_without_a_region(rr: RegionResolver) -> None:
    assert rr.by_address("Almaty Region", None, None, "Uzbekistan") == (None, "outside Kazakhstan")
    assert rr.by_address(None, None, "Paris", "FR") == (None, "outside Kazakhstan")
    assert rr.by_address(None, None, None, None) == (None, "no region, state_province or city given")
    code, why = rr.by_address(None, "Unknown", "Atlantis", "kz")
    assert code is None
    assert why == 'no region recognised in state_province "Unknown", city "Atlantis"'


@pytest.mark.parametrize(("country", "expected"), [
    ("KZ", True), ("kaz", True), ("Kazakhstan", True), ("Казахстан", True), ("Қазақстан", True),
    ("Republic of Kazakhstan", True), ("Республика Казахстан", True), ("398", True),
    ("UZ", False), ("Russia", False), ("Kyrgyzstan", False), (None, None), ("", None), (" - ", None),
])
def test_is_kazakhstan(rr: RegionResolver, country: str | None, expected: bool | None) -> None:
    assert is_kazakhstan(country) is expected
    assert rr.is_kazakhstan(country) is expected


def test_bad_alias_files_name_line_and_field(tmp_path: Path) -> None:
    regions = read_regions(DATA_DIR / "regions.csv")
    bad = tmp_path / "region_aliases.yaml"
    bad.write_text("abai:\n  en: [Semey]\nalmaty:\n  en: [Semey]\n  nick: [x]\nnowhere:\n  en: [X]\n",
                   encoding="utf-8")
    with pytest.raises(InvalidData) as err:
        RegionResolver(regions, read_yaml(bad))
    problems = {(p.line, p.field): p.reason for p in err.value.problems}
    assert "is also a name of abai" in problems[(4, "almaty.en")]
    assert problems[(4, "almaty.nick")].startswith("unknown group")
    assert problems[(7, "nowhere")] == "unknown region code"
    assert all(p.file == "region_aliases.yaml" for p in err.value.problems)
