"""HSDS taxonomy terms and attributes to needs: built-in rules, user overrides, bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.exceptions import InvalidData
from graph.model import load_model
from loaders.needs_mapping import BUILTIN_FILE, NeedsMapping

pytestmark = pytest.mark.unit

NEED_CODES = load_model().enum("NeedCode")


@pytest.fixture(scope="module")
def nm() -> NeedsMapping:
    return NeedsMapping.load()


def test_the_builtin_file_loads_and_names_only_real_needs(nm: NeedsMapping) -> None:
    assert nm.need_codes == NEED_CODES
    assert all(r.needs <= set(NEED_CODES) and r.file == BUILTIN_FILE.name for r in nm.rules)
    covered = set().union(*(r.needs for r in nm.rules if r.matcher == "keywords"))
    assert covered == set(NEED_CODES)  # every need can be found by a keyword


@pytest.mark.parametrize("code", NEED_CODES)
def test_our_own_taxonomy_round_trips(nm: NeedsMapping, code: str) -> None:
    assert nm.needs_for_term("referralnet-needs", code, "anything", "shelter") == (
        frozenset({code}), f'code "{code}" in taxonomy "referralnet-needs"')
    assert nm.needs_for_term("Referralnet Needs", code.lower(), None, None)[0] == {code}
    assert nm.needs_for_attribute(code, frozenset()) == {code}


@pytest.mark.parametrize(("name", "need", "keyword"), [
    ("Shelter for women", "SHELTER", "shelter"), ("Приют для пострадавших", "SHELTER", "приют"),
    ("Кризисного центра услуги", "SHELTER", "кризис центр"), ("Баспана беру", "SHELTER", "баспана"),
    ("Legal counselling", "LEGAL_AID", "legal"), ("Юридическая консультация", "LEGAL_AID", "юридическ"),
    ("Заңгерлік кеңес", "LEGAL_AID", "заң"), ("Psychological support", "PSYCHOLOGICAL", "psycholog"),
    ("Психологическая помощь", "PSYCHOLOGICAL", "психолог"),
    ("Психологиялық көмек", "PSYCHOLOGICAL", "психолог"), ("Medical examination", "MEDICAL", "medical"),
    ("Медицинская помощь", "MEDICAL", "медицин"), ("Медициналық көмек", "MEDICAL", "медицин"),
    ("Interpreter services", "INTERPRETATION", "interpret"), ("Услуги перевода", "INTERPRETATION", "перевод"),
    ("Ауызша аударма", "INTERPRETATION", "аударма"), ("Voluntary return", "RETURN_ASSISTANCE", "return"),
    ("Возвращение на родину", "RETURN_ASSISTANCE", "возвращ"),
    ("Репатриация граждан", "RETURN_ASSISTANCE", "репатриац"),
    ("Restoring documents", "DOCUMENT_RESTORATION", "document"),
    ("Восстановление документов", "DOCUMENT_RESTORATION", "документ"),
    ("National hotline", "HOTLINE", "hotline"), ("Горячая линия 111", "HOTLINE", "горяч лини"),
    ("Сенім телефоны", "HOTLINE", "сенім телефон"),
    ("Child protection", "CHILD_PROTECTION", "child protection"),
    ("Органы опеки и попечительства", "CHILD_PROTECTION", "опек"),
    ("Защита детей", "CHILD_PROTECTION", "защит дет"), ("Police assistance", "LAW_ENFORCEMENT", "police"),
    ("Обращение в полицию", "LAW_ENFORCEMENT", "полиц"), ("Social support", "SOCIAL_SERVICES", "social"),
    ("Социальное сопровождение", "SOCIAL_SERVICES", "социальн"),
    ("Әлеуметтік қызмет", "SOCIAL_SERVICES", "әлеуметтік"), ("Reintegration", "REINTEGRATION", "reintegrat"),
    ("Реинтеграция", "REINTEGRATION", "реинтеграц"), ("Employment support", "REINTEGRATION", "employment"),
    ("Содействие в трудоустройстве", "REINTEGRATION", "трудоустрой"),
    ("Transport to services", "TRANSPORT", "transport"),
    ("Транспортные расходы", "TRANSPORT", "транспорт"), ("Food parcels", "BASIC_NEEDS", "food"),
    ("Горячее питание", "BASIC_NEEDS", "питани"), ("Одежда и обувь", "BASIC_NEEDS", "одежд"),
    ("Hygiene kits", "BASIC_NEEDS", "hygiene"), ("CLOTHING BANK", "BASIC_NEEDS", "clothing"),
])
def test_keywords_in_three_languages(nm: NeedsMapping, name: str, need: str, keyword: str) -> None:
    assert nm.needs_for_term(None, None, name, None) == (frozenset({need}), f'keyword "{keyword}" in name')


def test_keywords_match_word_starts_only(nm: NeedsMapping) -> None:
    assert nm.needs_for_term(None, None, "Illegal migration statistics", None) == (frozenset(), None)
    assert nm.needs_for_term(None, None, "Unsocial hours", None) == (frozenset(), None)
    assert nm.needs_for_term(None, None, "Занятость населения", None) == (frozenset(), None)  # not "заң"


def test_name_beats_description_and_description_is_a_fallback(nm: NeedsMapping) -> None:
    assert nm.needs_for_term(None, None, "Legal counsel", "for shelter residents") == (
        frozenset({"LEGAL_AID"}), 'keyword "legal" in name')
    assert nm.needs_for_term(None, None, "Programme 7", "Помощь в восстановлении документов") == (
        frozenset({"DOCUMENT_RESTORATION"}), 'keyword "документ" in description')


def test_codes_names_and_prefixes(nm: NeedsMapping) -> None:
    assert nm.needs_for_term("AIRS", "BH-1800.1500", "Domestic Violence Shelters", None) == (
        frozenset({"SHELTER"}), 'code "BH-1800.1500" in taxonomy "AIRS" starts with "BH-1800"')
    assert nm.needs_for_term("211", "BD-1800", "Emergency Food", None)[0] == {"BASIC_NEEDS"}
    # the prefix rules are limited to the AIRS taxonomy: elsewhere the name decides
    assert nm.needs_for_term("Other", "BD-1800", "Emergency Food", None) == (
        frozenset({"BASIC_NEEDS"}), 'name "Emergency Food"')
    assert nm.needs_for_term("open-eligibility", "101", "emergency  SHELTER", None) == (
        frozenset({"SHELTER"}), 'name "emergency SHELTER"')
    for name, need in [("Temporary Shelter", "SHELTER"), ("Medical Care", "MEDICAL"),
                       ("Counseling", "PSYCHOLOGICAL"), ("Legal Assistance", "LEGAL_AID"),
                       ("Interpretation", "INTERPRETATION"), ("Translation", "INTERPRETATION"),
                       ("Transportation", "TRANSPORT"), ("Food", "BASIC_NEEDS"), ("Clothing", "BASIC_NEEDS"),
                       ("Help Find Housing", "SHELTER"), ("Hotlines", "HOTLINE")]:
        assert nm.needs_for_term("Open Eligibility", None, name, None)[0] == {need}, name


def test_the_first_matching_rule_wins(nm: NeedsMapping) -> None:
    # shelter rules come before transport rules in the built-in file
    assert nm.needs_for_term(None, None, "Transport to the shelter", None) == (
        frozenset({"SHELTER"}), 'keyword "shelter" in name')


def test_no_match(nm: NeedsMapping) -> None:
    assert nm.needs_for_term(None, None, None, None) == (frozenset(), None)
    assert nm.needs_for_term("x", "y", "Gardening club", "Tomatoes and roses") == (frozenset(), None)


def test_attributes(nm: NeedsMapping) -> None:
    legal = frozenset({"LEGAL_AID"})
    assert nm.needs_for_attribute(None, legal) == legal
    assert nm.needs_for_attribute("true", legal) == legal
    assert nm.needs_for_attribute("SHELTER", legal) == {"LEGAL_AID", "SHELTER"}
    assert nm.needs_for_attribute(" basic needs ", frozenset()) == {"BASIC_NEEDS"}
    assert nm.needs_for_attribute("legal-aid", frozenset()) == {"LEGAL_AID"}


def test_a_user_file_overrides_and_extends(tmp_path: Path) -> None:
    user = tmp_path / "my-needs.yaml"
    user.write_text(
        "rules:\n"
        "  - name: Emergency Shelter\n"
        "    needs: [SHELTER, BASIC_NEEDS]\n"
        "  - {taxonomy: kz-local, code: X-17, needs: [HOTLINE, PSYCHOLOGICAL], note: line 150}\n"
        "  - keywords: [шелтер]\n"
        "    needs: [SHELTER]\n", encoding="utf-8")
    nm = NeedsMapping.load(user)
    assert nm.needs_for_term(None, None, "Emergency Shelter", None) == (
        frozenset({"SHELTER", "BASIC_NEEDS"}), 'name "Emergency Shelter"')
    found = nm.match_term(None, None, "Emergency Shelter", None)
    assert found is not None and (found[0].file, found[0].line) == ("my-needs.yaml", 2)
    assert nm.needs_for_term("KZ Local", "x-17", "Телефон 150", None) == (
        frozenset({"HOTLINE", "PSYCHOLOGICAL"}), 'code "x-17" in taxonomy "KZ Local"')
    assert nm.needs_for_term(None, None, "Шелтеры Астаны", None)[0] == {"SHELTER"}
    # the built-in rules still apply after the user's
    assert nm.needs_for_term(None, None, "Temporary Shelter", None)[0] == {"SHELTER"}


def test_a_bad_user_file_names_file_line_and_field(tmp_path: Path) -> None:
    user = tmp_path / "bad-needs.yaml"
    user.write_text(
        "rules:\n"
        "  - name: Emergency Shelter\n"
        "    needs: [SHELTERS]\n"
        "  - name: Food\n"
        "    keywords: [food]\n"
        "    needs: [BASIC_NEEDS]\n"
        "  - code: 12\n"
        "    needs: []\n"
        "    colour: red\n"
        "  - just a string\n", encoding="utf-8")
    with pytest.raises(InvalidData) as err:
        NeedsMapping.load(user)
    got = {(p.file, p.line, p.field) for p in err.value.problems}
    assert ("bad-needs.yaml", 2, "rules[0].needs") in got
    assert ("bad-needs.yaml", 4, "rules[1]") in got
    assert ("bad-needs.yaml", 7, "rules[2].code") in got
    assert ("bad-needs.yaml", 7, "rules[2].needs") in got
    assert ("bad-needs.yaml", 7, "rules[2].colour") in got
    assert any(p.field == "rules[3]" for p in err.value.problems)
    reasons = {p.field: p.reason for p in err.value.problems}
    assert reasons["rules[0].needs"].startswith("'SHELTERS' is not a NeedCode")
    assert "bad-needs.yaml:2: rules[0].needs:" in str(err.value)


@pytest.mark.parametrize(("text", "line"), [("rules: [\n  {name: x, needs: [SHELTER]\n", 3),
                                            ("rules:\n  - name: x\n    needs: [SHELTER]\n  bad", 4),
                                            ("other: 1\n", 1)])
def test_broken_yaml_and_wrong_shape(tmp_path: Path, text: str, line: int) -> None:
    user = tmp_path / "broken.yaml"
    user.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidData) as err:
        NeedsMapping.load(user)
    assert err.value.problems[0].file == "broken.yaml"
    assert err.value.problems[0].line == line
