// name: upsert_regions
// mode: write
// params: rows
// Regions from regions.csv; `location` is the administrative center (WGS-84).
UNWIND $rows AS r
MERGE (g:Region {code: r.code})
SET g.kind = r.kind, g.name_en = r.name_en, g.name_ru = r.name_ru, g.center_en = r.center_en,
    g.location = point({latitude: r.lat, longitude: r.lon})
RETURN count(g) AS n

// name: upsert_needs
// mode: write
// params: rows
UNWIND $rows AS r
MERGE (n:Need {code: r.code})
SET n.description = r.description
RETURN count(n) AS n

// name: upsert_provisions
// mode: write
// params: rows
UNWIND $rows AS r
MERGE (p:LegalProvision {id: r.id})
SET p += r.props
RETURN count(p) AS n

// name: upsert_responsibilities
// mode: write
// params: rows
// Each responsibility with the provision that assigns it and the needs it covers.
UNWIND $rows AS r
MERGE (x:Responsibility {code: r.code})
SET x.description = r.description
WITH x, r
CALL (x, r) {
  OPTIONAL MATCH (x)-[old:ASSIGNED_BY]->(p:LegalProvision) WHERE p.id <> r.provision
  DELETE old
}
CALL (x, r) {
  MATCH (p:LegalProvision {id: r.provision})
  MERGE (x)-[:ASSIGNED_BY]->(p)
}
CALL (x, r) {
  OPTIONAL MATCH (x)-[old:COVERS]->(n:Need) WHERE NOT n.code IN r.covers
  DELETE old
}
CALL (x, r) {
  UNWIND r.covers AS code
  MATCH (n:Need {code: code})
  MERGE (x)-[:COVERS]->(n)
}
RETURN count(x) AS n

// name: upsert_organizations
// mode: write
// params: rows
// Organizations with their region and the responsibilities they hold.
UNWIND $rows AS r
MERGE (o:Organization {id: r.id})
SET o += r.props
WITH o, r
CALL (o, r) {
  OPTIONAL MATCH (o)-[old:LOCATED_IN]->(g:Region) WHERE g.code <> r.region
  DELETE old
}
CALL (o, r) {
  MATCH (g:Region {code: r.region})
  MERGE (o)-[:LOCATED_IN]->(g)
}
CALL (o, r) {
  OPTIONAL MATCH (o)-[old:HOLDS]->(x:Responsibility) WHERE NOT x.code IN r.responsibilities
  DELETE old
}
CALL (o, r) {
  UNWIND r.responsibilities AS code
  MATCH (x:Responsibility {code: code})
  MERGE (o)-[:HOLDS]->(x)
}
RETURN count(o) AS n

// name: link_organizations
// mode: write
// params: rows
// Partnerships and memberships, after every organization exists.
UNWIND $rows AS r
MATCH (o:Organization {id: r.id})
CALL (o, r) {
  OPTIONAL MATCH (o)-[old:PARTNERS_WITH]->(p:Organization) WHERE NOT p.id IN r.partners
  DELETE old
}
CALL (o, r) {
  OPTIONAL MATCH (o)-[old:MEMBER_OF]->(p:Organization) WHERE NOT p.id IN r.member_of
  DELETE old
}
CALL (o, r) {
  UNWIND r.partners AS pid
  MATCH (p:Organization {id: pid})
  MERGE (o)-[:PARTNERS_WITH]->(p)
}
CALL (o, r) {
  UNWIND r.member_of AS pid
  MATCH (p:Organization {id: pid})
  MERGE (o)-[:MEMBER_OF]->(p)
}
RETURN count(o) AS n

// name: upsert_services
// mode: write
// params: rows
// Services with their provider, the needs they meet and the regions they serve.
UNWIND $rows AS r
MATCH (o:Organization {id: r.organization_id})
MERGE (s:Service {id: r.id})
SET s += r.props
MERGE (o)-[:PROVIDES]->(s)
WITH s, r
CALL (s, r) {
  OPTIONAL MATCH (s)-[old:MEETS]->(n:Need) WHERE NOT n.code IN r.needs
  DELETE old
}
CALL (s, r) {
  OPTIONAL MATCH (s)-[old:SERVES]->(g:Region) WHERE NOT g.code IN r.regions
  DELETE old
}
CALL (s, r) {
  UNWIND r.needs AS code
  MATCH (n:Need {code: code})
  MERGE (s)-[:MEETS]->(n)
}
CALL (s, r) {
  UNWIND r.regions AS code
  MATCH (g:Region {code: code})
  MERGE (s)-[:SERVES]->(g)
}
RETURN count(s) AS n
