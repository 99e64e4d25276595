"""The coordinator's questions through the real API over HTTP, on the built-in directory."""

from __future__ import annotations

from tests.conftest import GQL

WHO = """
query($need: NeedCode!, $region: String!) {
  whoHandles(need: $need, region: $region) {
    need servedInRegion region { code nameEn }
    responsible { organization { id name } responsibility { code } legalBasis { id act title }
                  distanceKm inRegion jurisdiction why }
    services { service { id name needs capacityAvailable } organization { id name }
               region { code } distanceKm inRegion why legalBasis { code legalBasis { id } } }
  }
}"""


def test_shelter_in_almaty_names_rodnik_with_legal_basis(gql: GQL) -> None:
    w = gql(WHO, need="SHELTER", region="almaty")["whoHandles"]
    assert w["servedInRegion"] is True
    rodnik = [s for s in w["services"] if s["organization"]["id"] == "kz-rodnik"]
    assert rodnik, [s["organization"]["name"] for s in w["services"]]
    assert all(s["inRegion"] and s["distanceKm"] == 0 for s in rodnik)
    assert "SHELTER" in rodnik[0]["service"]["needs"]
    assert rodnik[0]["legalBasis"], "Rodnik's shelter should carry its legal basis"
    assert all(b["legalBasis"]["id"] for b in rodnik[0]["legalBasis"])
    assert any(r["organization"]["id"] == "kz-rodnik" for r in w["responsible"])
    for r in w["responsible"]:
        assert r["legalBasis"]["act"], r


def test_child_protection_in_astana_names_the_guardianship_body(gql: GQL) -> None:
    w = gql(WHO, need="CHILD_PROTECTION", region="astana")["whoHandles"]
    local = [r for r in w["responsible"] if r["inRegion"] and r["jurisdiction"] != "NATIONAL"]
    names = [r["organization"]["name"].lower() for r in local]
    assert any("guardianship" in n for n in names), names
    first = w["responsible"][0]
    assert first["inRegion"] and "guardianship" in first["organization"]["name"].lower()
    assert "Astana" in first["why"]


def test_a_shelter_for_children_counts_in_ulytau_but_adults_go_farther(gql: GQL) -> None:
    w = gql(WHO, need="SHELTER", region="ulytau")["whoHandles"]
    assert w["servedInRegion"] is True
    assert all("Children" in s["service"]["name"] or "children" in s["service"]["name"]
               for s in w["services"] if s["inRegion"])


def test_organizations_paginate_with_cursors_and_total(gql: GQL) -> None:
    q = """query($after: String) { organizations(first: 7, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id name } } } }"""
    seen: list[str] = []
    after = None
    total = None
    while True:
        c = gql(q, after=after)["organizations"]
        total = c["totalCount"]
        seen += [e["node"]["id"] for e in c["edges"]]
        if not c["pageInfo"]["hasNextPage"]:
            break
        after = c["pageInfo"]["endCursor"]
    assert len(seen) == total == len(set(seen))
    assert total > 200


def test_filters_combine(gql: GQL) -> None:
    q = """query($f: DirectoryFilterInput) { organizations(filter: $f, first: 100) {
        totalCount nodes { id kind region { code } } } }"""
    c = gql(q, f={"region": "almaty", "need": "SHELTER"})["organizations"]
    assert "kz-rodnik" in [n["id"] for n in c["nodes"]]
    c = gql(q, f={"kind": "NGO", "text": "women's initiatives"})["organizations"]
    assert [n["id"] for n in c["nodes"]] == ["kz-sana-sezim"]
    c = gql(q, f={"kind": "CHILD_PROTECTION", "region": "astana"})["organizations"]
    assert c["nodes"] and all(n["kind"] == "CHILD_PROTECTION" for n in c["nodes"])


def test_sana_sezim_is_one_organization_with_its_alternate_name(gql: GQL) -> None:
    q = """query($f: DirectoryFilterInput) { organizations(filter: $f) { totalCount
        nodes { id name alternateNames memberOf { id } services { id needs } } } }"""
    c = gql(q, f={"text": "sana sezim"})["organizations"]
    named = [o for o in c["nodes"]
             if any("sana sezim" in n.lower() for n in [o["name"], *o["alternateNames"]])]
    assert len(named) == 1, [o["id"] for o in named]
    org = named[0]
    assert any("Legal Center for Women's Initiatives" in n for n in org["alternateNames"]) or \
        "Legal Center for Women's Initiatives" in org["name"]
    assert {"id": "kz-interdepartmental-commission"} in org["memberOf"]
    assert org["services"]


def test_unknown_region_is_a_coded_error(gql: GQL) -> None:
    errors = gql.errors(WHO, need="SHELTER", region="atlantis")
    assert errors[0]["extensions"]["code"] == "BAD_INPUT"
    assert errors[0]["extensions"]["field"] == "region"
    assert "atlantis" in errors[0]["message"]


def test_bad_cursor_and_page_size_are_coded_errors(gql: GQL) -> None:
    e = gql.errors('query { organizations(after: "garbage!") { totalCount } }')
    assert e[0]["extensions"] == {"code": "BAD_INPUT", "field": "after"}
    e = gql.errors("query { services(first: 100000) { totalCount } }")
    assert e[0]["extensions"]["code"] == "BAD_INPUT"


def test_lookups_and_reference_lists(gql: GQL) -> None:
    d = gql("""query { organization(id: "kz-rodnik") { name region { code } responsibilities {
                 code legalBasis { title } } partners { id } }
               regions { code } needs { code description }
               responsibilities { code covers legalBasis { id } } }""")
    assert d["organization"]["region"]["code"] == "almaty"
    assert d["organization"]["responsibilities"]
    assert len(d["regions"]) == 20
    assert {n["code"] for n in d["needs"]} >= {"SHELTER", "CHILD_PROTECTION", "RETURN_ASSISTANCE"}
    assert all(r["legalBasis"]["id"] for r in d["responsibilities"])
    e = gql.errors('query { organization(id: "nope") { name } }')
    assert e[0]["extensions"]["code"] == "NOT_FOUND"
