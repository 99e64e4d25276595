// name: who_handles_responsible
// params: need, region, limit
// The bodies holding a responsibility that covers the need, with its legal basis: every
// NATIONAL body, and per responsibility the non-national holders in the nearest region
// that has one (distance 0 = in the region). Distances are between region centers, in km.
MATCH (target:Region {code: $region}), (n:Need {code: $need})
MATCH (o:Organization&!Staged)-[:HOLDS]->(x:Responsibility)-[:COVERS]->(n)
MATCH (o)-[:LOCATED_IN]->(g:Region)
WITH target, x, o, g, point.distance(g.location, target.location) / 1000.0 AS km
WITH x, collect({o: o, g: g, km: km}) AS cands
WITH x, cands,
     reduce(m = null, c IN cands |
       CASE WHEN c.o.jurisdiction <> 'NATIONAL' AND (m IS NULL OR c.km < m) THEN c.km ELSE m END)
       AS nearest
UNWIND cands AS c
WITH x, c, nearest
WHERE c.o.jurisdiction = 'NATIONAL' OR c.km = nearest
OPTIONAL MATCH (x)-[:ASSIGNED_BY]->(p:LegalProvision)
RETURN x.code AS responsibility, x.description AS responsibility_description,
       p {.id, .act, .article, .title, .summary, .sources,
          effective_date: toString(p.effective_date)} AS provision,
       c.o.id AS organization_id, c.g.code AS region, c.km AS distance_km,
       c.o.jurisdiction AS jurisdiction
ORDER BY CASE WHEN c.km = 0.0 AND c.o.jurisdiction <> 'NATIONAL' THEN 0
              WHEN c.o.jurisdiction = 'NATIONAL' THEN 1 ELSE 2 END,
         c.km, x.code, c.o.name
LIMIT $limit

// name: who_handles_services
// params: need, region, limit
// Active services meeting the need in the region itself or, when none does, in the nearest
// region (by distance between centers) that has one. Starting from regions keeps the work
// proportional to one region's services, not the whole directory's. Each comes with the
// provider's responsibilities for the need and their provisions.
MATCH (target:Region {code: $region}), (n:Need {code: $need})
MATCH (g:Region)
WHERE EXISTS { (g)<-[:SERVES]-(x:Service&!Staged {status: 'ACTIVE'})-[:MEETS]->(n) }
WITH target, n, g, point.distance(g.location, target.location) / 1000.0 AS km
ORDER BY km
LIMIT 1
MATCH (g)<-[:SERVES]-(s:Service&!Staged {status: 'ACTIVE'})-[:MEETS]->(n)
MATCH (o:Organization&!Staged)-[:PROVIDES]->(s)
WITH n, g, km, o, s ORDER BY s.name, s.id LIMIT $limit
RETURN s.id AS service_id, o.id AS organization_id, g.code AS region, km AS distance_km,
       COLLECT { MATCH (o)-[:HOLDS]->(x:Responsibility)-[:COVERS]->(n)
                 OPTIONAL MATCH (x)-[:ASSIGNED_BY]->(p:LegalProvision)
                 RETURN {responsibility: x.code, provision_id: p.id} } AS basis

// name: coverage_gaps_needs
// params: region
// Needs that no active service serving the region meets, with the nearest region that has one.
MATCH (target:Region {code: $region})
MATCH (n:Need)
WHERE NOT EXISTS { (n)<-[:MEETS]-(s:Service&!Staged {status: 'ACTIVE'})-[:SERVES]->(target) }
CALL (n, target) {
  OPTIONAL MATCH (n)<-[:MEETS]-(:Service&!Staged {status: 'ACTIVE'})-[:SERVES]->(g:Region)
  RETURN g.code AS nearest_region,
         CASE WHEN g IS NULL THEN null ELSE point.distance(g.location, target.location) / 1000.0 END AS km
  ORDER BY km
  LIMIT 1
}
RETURN n.code AS need, nearest_region, km AS distance_km
ORDER BY n.code

// name: coverage_gaps_responsibilities
// params: region
// Responsibilities that no body in the region and no national body holds.
MATCH (target:Region {code: $region})
MATCH (x:Responsibility)
WHERE NOT EXISTS { (x)<-[:HOLDS]-(:Organization&!Staged)-[:LOCATED_IN]->(target) }
  AND NOT EXISTS { (x)<-[:HOLDS]-(:Organization&!Staged {jurisdiction: 'NATIONAL'}) }
OPTIONAL MATCH (x)-[:ASSIGNED_BY]->(p:LegalProvision)
RETURN x.code AS responsibility, x.description AS description, p.id AS provision_id,
       COLLECT { MATCH (x)<-[:HOLDS]-(:Organization&!Staged)-[:LOCATED_IN]->(g:Region)
                 RETURN DISTINCT g.code } AS held_in
ORDER BY x.code
