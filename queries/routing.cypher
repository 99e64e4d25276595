// name: route_candidates
// params: needs, regions, active_only
// Services meeting any of the needs and serving any of the regions, with their provider and
// the provider's responsibilities for that need (the legal mandate). With active_only, only
// active services with a free place (if capacity-bound) come back: the farther regions are
// searched for what can actually take the person; the person's own region returns all, so
// that every exclusion can be explained. Each region's services are walked once, whatever
// the number of needs.
UNWIND $regions AS rc
MATCH (g:Region {code: rc})<-[:SERVES]-(s:Service&!Staged)
WHERE NOT $active_only
   OR (s.status = 'ACTIVE' AND (s.capacity_total IS NULL OR s.capacity_available > 0))
MATCH (s)-[:MEETS]->(n:Need)
WHERE n.code IN $needs
MATCH (o:Organization&!Staged)-[:PROVIDES]->(s)
RETURN n.code AS need, g.code AS region,
       s {.id, .name, .status, .citizenship, .min_age, .max_age, .sexes, .exploitation_types,
          .languages, .capacity_total, .capacity_available} AS service,
       o.id AS organization_id, o.name AS organization_name,
       COLLECT { MATCH (o)-[:HOLDS]->(x:Responsibility)-[:COVERS]->(n)
                 OPTIONAL MATCH (x)-[:ASSIGNED_BY]->(p:LegalProvision)
                 RETURN {responsibility: x.code, provision_id: p.id, provision_title: p.title} }
         AS basis

// name: responsibility_holders
// params: codes, region
// Who holds each responsibility for a person in the region: every NATIONAL body, and the
// other holders in the nearest region that has one (distance 0 = in the region).
MATCH (target:Region {code: $region})
UNWIND $codes AS code
MATCH (x:Responsibility {code: code})<-[:HOLDS]-(o:Organization&!Staged)-[:LOCATED_IN]->(g:Region)
WITH x, o, g, point.distance(g.location, target.location) / 1000.0 AS km
WITH x, collect({o: o, g: g, km: km}) AS cands
WITH x, cands,
     reduce(m = null, c IN cands |
       CASE WHEN c.o.jurisdiction <> 'NATIONAL' AND (m IS NULL OR c.km < m) THEN c.km ELSE m END)
       AS nearest
UNWIND cands AS c
WITH x, c WHERE c.o.jurisdiction = 'NATIONAL' OR c.km = nearest
RETURN x.code AS responsibility, c.o.id AS organization_id, c.o.name AS organization_name,
       c.g.code AS region, c.km AS distance_km, c.o.jurisdiction AS jurisdiction
ORDER BY x.code, c.o.jurisdiction = 'NATIONAL', c.km, c.o.name

// name: route_live
// params: since
// What may have changed since the routing cache (graph/route_cache.py) last looked: the
// directory's version (changed by every directory write) and the free places of the services
// whose places referrals took or gave back since `since` (milliseconds, database clock). A
// service a load has not finished (Staged) holds no referral: it never has places_changed_at.
OPTIONAL MATCH (v:DirectoryVersion {id: 'directory'})
CALL () {
  MATCH (s:Service)
  WHERE s.places_changed_at >= $since AND NOT s:Staged
  RETURN collect([s.id, s.capacity_available]) AS live
}
RETURN v.version AS version, live, timestamp() AS now

// name: route_places
// Free places of every capacity-bound service, and the database clock, to start the cache (a
// Staged one's is kept unused: route_candidates leaves it out).
OPTIONAL MATCH (v:DirectoryVersion {id: 'directory'})
CALL () {
  MATCH (s:Service)
  WHERE s.capacity_total IS NOT NULL AND NOT s:Staged
  RETURN collect([s.id, s.capacity_available]) AS live
}
RETURN v.version AS version, live, timestamp() AS now
