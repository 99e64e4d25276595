// name: list_organizations
// params: region, need, kind, text, after_name, after_id, limit
// One page of organizations, keyset-paginated on (name, id). Every filter is optional (null).
// region: located in or serving the region; need: a service meets it or a held
// responsibility covers it; text: substring of the lower-cased search text.
MATCH (o:Organization&!Staged)
WHERE ($kind IS NULL OR o.kind = $kind)
  AND ($text IS NULL OR o.search_text CONTAINS $text)
  AND ($after_name IS NULL OR o.name > $after_name OR (o.name = $after_name AND o.id > $after_id))
  AND ($region IS NULL
       OR EXISTS { (o)-[:LOCATED_IN]->(:Region {code: $region}) }
       OR EXISTS { (o)-[:PROVIDES]->(:Service&!Staged)-[:SERVES]->(:Region {code: $region}) })
  AND ($need IS NULL
       OR EXISTS { (o)-[:PROVIDES]->(:Service&!Staged)-[:MEETS]->(:Need {code: $need}) }
       OR EXISTS { (o)-[:HOLDS]->(:Responsibility)-[:COVERS]->(:Need {code: $need}) })
WITH o ORDER BY o.name, o.id LIMIT $limit
OPTIONAL MATCH (o)-[:LOCATED_IN]->(g:Region)
RETURN o {.id, .name, .alternate_names, .kind, .jurisdiction, .description, .website, .email,
          .phone, .illustrative, .sources, region: g.code} AS org

// name: count_organizations
// params: region, need, kind, text
// The total behind list_organizations, for totalCount.
MATCH (o:Organization&!Staged)
WHERE ($kind IS NULL OR o.kind = $kind)
  AND ($text IS NULL OR o.search_text CONTAINS $text)
  AND ($region IS NULL
       OR EXISTS { (o)-[:LOCATED_IN]->(:Region {code: $region}) }
       OR EXISTS { (o)-[:PROVIDES]->(:Service&!Staged)-[:SERVES]->(:Region {code: $region}) })
  AND ($need IS NULL
       OR EXISTS { (o)-[:PROVIDES]->(:Service&!Staged)-[:MEETS]->(:Need {code: $need}) }
       OR EXISTS { (o)-[:HOLDS]->(:Responsibility)-[:COVERS]->(:Need {code: $need}) })
RETURN count(o) AS n

// name: list_services
// params: region, need, kind, text, after_name, after_id, limit
// One page of services, keyset-paginated on (name, id); kind filters on the provider's kind.
MATCH (o:Organization&!Staged)-[:PROVIDES]->(s:Service&!Staged)
WHERE ($kind IS NULL OR o.kind = $kind)
  AND ($text IS NULL OR s.search_text CONTAINS $text)
  AND ($after_name IS NULL OR s.name > $after_name OR (s.name = $after_name AND s.id > $after_id))
  AND ($region IS NULL OR EXISTS { (s)-[:SERVES]->(:Region {code: $region}) })
  AND ($need IS NULL OR EXISTS { (s)-[:MEETS]->(:Need {code: $need}) })
WITH o, s ORDER BY s.name, s.id LIMIT $limit
RETURN s {.id, .name, .description, .status, .min_age, .max_age, .sexes, .citizenship,
          .exploitation_types, .languages, .capacity_total, .capacity_available, .hours,
          .illustrative, organization_id: o.id,
          needs: COLLECT { MATCH (s)-[:MEETS]->(n:Need) RETURN n.code ORDER BY n.code },
          regions: COLLECT { MATCH (s)-[:SERVES]->(g:Region) RETURN g.code ORDER BY g.code }} AS service

// name: count_services
// params: region, need, kind, text
MATCH (o:Organization&!Staged)-[:PROVIDES]->(s:Service&!Staged)
WHERE ($kind IS NULL OR o.kind = $kind)
  AND ($text IS NULL OR s.search_text CONTAINS $text)
  AND ($region IS NULL OR EXISTS { (s)-[:SERVES]->(:Region {code: $region}) })
  AND ($need IS NULL OR EXISTS { (s)-[:MEETS]->(:Need {code: $need}) })
RETURN count(s) AS n

// name: organizations_by_ids
// params: ids
// Batch lookup for the per-request organization DataLoader.
UNWIND $ids AS id
MATCH (o:Organization&!Staged {id: id})
OPTIONAL MATCH (o)-[:LOCATED_IN]->(g:Region)
RETURN o {.id, .name, .alternate_names, .kind, .jurisdiction, .description, .website, .email,
          .phone, .illustrative, .sources, region: g.code} AS org

// name: services_by_ids
// params: ids
UNWIND $ids AS id
MATCH (o:Organization&!Staged)-[:PROVIDES]->(s:Service&!Staged {id: id})
RETURN s {.id, .name, .description, .status, .min_age, .max_age, .sexes, .citizenship,
          .exploitation_types, .languages, .capacity_total, .capacity_available, .hours,
          .illustrative, organization_id: o.id,
          needs: COLLECT { MATCH (s)-[:MEETS]->(n:Need) RETURN n.code ORDER BY n.code },
          regions: COLLECT { MATCH (s)-[:SERVES]->(g:Region) RETURN g.code ORDER BY g.code }} AS service

// name: service_ids_of_organizations
// params: ids
// Batch: the services each organization provides (for Organization.services).
UNWIND $ids AS id
MATCH (o:Organization&!Staged {id: id})-[:PROVIDES]->(s:Service&!Staged)
WITH id, s ORDER BY s.name, s.id
RETURN id, collect(s.id) AS service_ids

// name: responsibilities_of_organizations
// params: ids
// Batch: each organization's responsibilities with the provisions that assign them.
UNWIND $ids AS id
MATCH (o:Organization&!Staged {id: id})-[:HOLDS]->(x:Responsibility)
WITH id, x ORDER BY x.code
RETURN id, collect(x.code) AS codes

// name: related_organizations
// params: ids
// Batch: partners (either direction) and memberships of each organization.
UNWIND $ids AS id
MATCH (o:Organization&!Staged {id: id})
RETURN id,
       COLLECT { MATCH (o)-[:PARTNERS_WITH]-(p:Organization&!Staged) RETURN DISTINCT p.id } AS partners,
       COLLECT { MATCH (o)-[:MEMBER_OF]->(p:Organization&!Staged) RETURN p.id } AS member_of,
       COLLECT { MATCH (o)<-[:MEMBER_OF]-(p:Organization&!Staged) RETURN p.id } AS members

// name: list_regions
MATCH (g:Region)
RETURN g {.code, .kind, .name_en, .name_ru, .center_en,
          lat: g.location.latitude, lon: g.location.longitude} AS region
ORDER BY g.code

// name: list_needs
MATCH (n:Need)
RETURN n {.code, .description} AS need
ORDER BY n.code

// name: list_responsibilities
// Every responsibility with its provision and the needs it covers.
MATCH (x:Responsibility)
OPTIONAL MATCH (x)-[:ASSIGNED_BY]->(p:LegalProvision)
RETURN x {.code, .description,
          covers: COLLECT { MATCH (x)-[:COVERS]->(n:Need) RETURN n.code ORDER BY n.code },
          provision: p {.id, .act, .article, .title, .summary, .sources,
                        effective_date: toString(p.effective_date)}} AS responsibility
ORDER BY x.code

// name: organization_identity
// Every organization's names, BIN and merged ids, for matching incoming duplicates.
MATCH (o:Organization&!Staged)
RETURN o.id AS id, o.name AS name, coalesce(o.alternate_names, []) AS alternate_names,
       o.bin AS bin, coalesce(o.merged_ids, []) AS merged_ids

// name: existing_organizations
// params: ids
// Which of these organization ids exist (references an input leaves to the database).
UNWIND $ids AS id
MATCH (o:Organization&!Staged {id: id})
RETURN o.id AS id

// name: existing_services
// params: ids
UNWIND $ids AS id
MATCH (s:Service&!Staged {id: id})
RETURN s.id AS id

// name: existing_records
// params: keys
// Which of these kept HSDS rows ("table:id") exist.
UNWIND $keys AS key
MATCH (x:HsdsRecord&!Staged {key: key})
RETURN x.key AS key
