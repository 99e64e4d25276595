"""Organization name keys: duplicates across sources meet, different organizations do not."""

from __future__ import annotations

import pytest

from loaders.orgnames import NameIndex, find_match, match_reason, name_fingerprint, name_keys

pytestmark = pytest.mark.unit

SANA_SEZIM = 'Legal Center for Women\'s Initiatives "Sana Sezim"'


@pytest.fixture
def index() -> NameIndex:
    idx = NameIndex()
    idx.add("kz-sana-sezim", SANA_SEZIM, ["Sana Sezim Center"])
    idx.add("kz-rodnik", "Public Foundation Rodnik", ["Родник"])
    idx.add("kz-moh", "Ministry of Health", ["Министерство здравоохранения"])
    idx.add("kz-crisis-almaty", "Crisis Centre Almaty", ["Кризисный центр г. Алматы"])
    return idx


def test_fingerprint_transliterates_and_sorts() -> None:
    assert name_fingerprint("Родник") == "rodnik"
    assert name_fingerprint("Public Foundation Rodnik") == name_fingerprint("Rodnik Public  Foundation.")
    assert name_fingerprint("Қоғамдық қор") == "kogamdyk kor"  # not "k ogamdyk or"
    assert name_fingerprint("Өскемен Ұлы Үй Жаңа Һ") == "h oskemen uj uly zana"
    assert name_fingerprint("  ") == ""


def test_quoted_part_and_the_rest_are_keys() -> None:
    keys = name_keys(SANA_SEZIM, [])
    assert "sana sezim" in keys
    assert name_fingerprint("Legal Center for Women's Initiatives") in keys
    assert name_fingerprint(SANA_SEZIM) in keys
    for quotes in ("«Sana Sezim»", "“Sana Sezim”", "„Sana Sezim“"):
        assert "sana sezim" in name_keys(f"Legal Center for Women's Initiatives {quotes}")


def test_the_name_without_its_quoted_part_matches(index: NameIndex) -> None:
    found = index.match("Legal Center for Women's Initiatives")
    assert found is not None
    org_id, reason = found
    assert org_id == "kz-sana-sezim"
    assert reason == ('name "Legal Center for Women\'s Initiatives" matches existing name without '
                      'its quoted part "Legal Center for Women\'s Initiatives"')
    assert index.match("Sana Sezim") == (
        "kz-sana-sezim",
        f'name "Sana Sezim" matches existing quoted part "Sana Sezim" of name "{SANA_SEZIM}"')
    assert index.match("Other name", ["Sana Sezim Center"]) == (
        "kz-sana-sezim",
        'alternate name "Sana Sezim Center" matches existing alternate name "Sana Sezim Center"')


def test_legal_forms_do_not_stop_a_match(index: NameIndex) -> None:
    for name in ("Rodnik", "Родник", "ОФ «Родник»", "ПФ Родник", "Qogamdyq qor Rodnik", "NGO Rodnik",
                 "Общественный фонд «Родник»", "Қоғамдық қор «Родник»", "Rodnik LLP"):
        found = index.match(name)
        assert found is not None, name
        assert found[0] == "kz-rodnik"
    assert index.match("Rodnik")[1] == 'name "Rodnik" matches existing alternate name "Родник"'  # type: ignore[index]


def test_different_organizations_do_not_match(index: NameIndex) -> None:
    assert index.match("Ministry of Internal Affairs", ["Министерство внутренних дел"]) is None
    assert index.match("Crisis Centre Karaganda", ["Кризисный центр г. Караганды"]) is None
    assert index.match("Crisis centre") is None
    assert index.match("Public Foundation") is None
    assert index.match("Rodnik Almaty") is None
    assert index.match("Ministry of Health") == ("kz-moh", 'name "Ministry of Health" matches existing name '
                                                          '"Ministry of Health"')


def test_place_words_alone_never_join_parts_of_names() -> None:
    idx = NameIndex()
    idx.add("a", "КГУ «Центр оказания специальных социальных услуг» акимата г. Алматы")
    assert idx.match("КГУ «Центр поддержки семьи» акимата г. Алматы") is None
    other_region = "КГУ «Центр оказания специальных социальных услуг» акимата Карагандинской области"
    assert idx.match(other_region) is None
    assert idx.match("КГУ «Центр оказания специальных социальных услуг» акимата г. Алматы") is not None


@pytest.mark.parametrize("name", ["Public Foundation", "Center", "Centre", "ОФ", "ПФ", "ТОО", "LLP", "NGO",
                                  "Crisis centre", "Кризисный центр", "Общественный фонд", "Қоғамдық қор",
                                  "Public Foundation «Crisis Center»", "ТОО «Центр»", "ОО", "", "  ", "«»"])
def test_generic_only_names_have_no_keys(name: str) -> None:
    assert name_keys(name, []) == set()


def test_shared_keys_are_not_used_to_merge() -> None:
    idx = NameIndex()
    idx.add("a", 'Crisis Center "Zabota" Almaty')
    idx.add("b", 'Public Foundation "Zabota" Karaganda')
    assert idx.match("Zabota") is None
    assert idx.ambiguous("Zabota") == ["a", "b"]
    assert idx.ambiguous("Nothing like it") == []
    assert idx.match('Crisis Center "Zabota" Almaty') is None  # whole name a, quoted part a and b
    assert idx.ambiguous('Crisis Center "Zabota" Almaty') == ["a", "b"]


def test_adding_more_names_to_the_same_organization() -> None:
    idx = NameIndex()
    idx.add("a", "Rodnik")
    idx.add("a", "Rodnik", ["Spring Foundation Almaty"])
    assert idx.match("Spring Foundation Almaty") == (
        "a", 'name "Spring Foundation Almaty" matches existing alternate name "Spring Foundation Almaty"')
    assert idx.ambiguous("Rodnik") == []


def test_helpers() -> None:
    candidates = {"kz-sana-sezim": (SANA_SEZIM, ["Sana Sezim Center"]), "kz-rodnik": ("Rodnik", [])}
    assert find_match("Sana Sezim", [], candidates) is not None
    assert find_match("Unknown", [], candidates) is None
    assert match_reason("Родник", [], "Public Foundation Rodnik", []) == (
        'name "Родник" matches existing name "Public Foundation Rodnik" without its legal form')
    assert match_reason("Ministry of Health", [], "Ministry of Internal Affairs", []) is None
