// name: who_handles_responsible
// params: need, region
// The bodies holding a responsibility that covers the need, with its legal basis: every
// NATIONAL body, and per responsibility the non-national holders in the nearest region
// that has one (distance 0 = in the region). Distances are between region centers, in km.
MATCH (target:Region {code: $region}), (n:Need {code: $need})
MATCH (o:Organization)-[:HOLDS]->(x:Responsibility)-[:COVERS]->(n)
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

// name: who_handles_services
// params: need, region, limit
// Active services meeting the need: those serving the region, or when none does, the
// nearest ones by the distance from the region to the closest region each serves.
// Each comes with the provider's responsibilities for the need and their provisions.
MATCH (target:Region {code: $region}), (n:Need {code: $need})
MATCH (o:Organization)-[:PROVIDES]->(s:Service)-[:MEETS]->(n)
WHERE s.status = 'ACTIVE'
MATCH (s)-[:SERVES]->(g:Region)
WITH target, n, o, s, g, point.distance(g.location, target.location) / 1000.0 AS km
ORDER BY km
WITH target, n, o, s, head(collect({code: g.code, km: km})) AS best
WITH target, n, collect({o: o, s: s, best: best}) AS cands, min(best.km) AS nearest
UNWIND cands AS c
WITH target, n, c, nearest
WHERE c.best.km = 0.0 OR nearest > 0.0
WITH n, c ORDER BY c.best.km, c.s.name, c.s.id LIMIT $limit
WITH n, c, c.o AS o, c.s AS s
RETURN s.id AS service_id, o.id AS organization_id, c.best.code AS region,
       c.best.km AS distance_km,
       COLLECT { MATCH (o)-[:HOLDS]->(x:Responsibility)-[:COVERS]->(n)
                 OPTIONAL MATCH (x)-[:ASSIGNED_BY]->(p:LegalProvision)
                 RETURN {responsibility: x.code, provision_id: p.id} } AS basis

// name: coverage_gaps_needs
// params: region
// Needs that no active service serving the region meets, with the nearest region that has one.
MATCH (target:Region {code: $region})
MATCH (n:Need)
WHERE NOT EXISTS { (n)<-[:MEETS]-(s:Service {status: 'ACTIVE'})-[:SERVES]->(target) }
CALL (n, target) {
  OPTIONAL MATCH (n)<-[:MEETS]-(:Service {status: 'ACTIVE'})-[:SERVES]->(g:Region)
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
WHERE NOT EXISTS { (x)<-[:HOLDS]-(:Organization)-[:LOCATED_IN]->(target) }
  AND NOT EXISTS { (x)<-[:HOLDS]-(:Organization {jurisdiction: 'NATIONAL'}) }
OPTIONAL MATCH (x)-[:ASSIGNED_BY]->(p:LegalProvision)
RETURN x.code AS responsibility, x.description AS description, p.id AS provision_id,
       COLLECT { MATCH (x)<-[:HOLDS]-(:Organization)-[:LOCATED_IN]->(g:Region)
                 RETURN DISTINCT g.code } AS held_in
ORDER BY x.code
