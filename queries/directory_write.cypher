// name: upsert_regions
// mode: write
// params: rows
// Regions from regions.csv; `location` is the administrative center (WGS-84). Reference
// data: each row's outcome (created, updated, unchanged) from its properties before and after.
UNWIND $rows AS r
OPTIONAL MATCH (old:Region {code: r.code})
WITH r, properties(old) AS before
MERGE (g:Region {code: r.code})
SET g.kind = r.kind, g.name_en = r.name_en, g.name_ru = r.name_ru, g.center_en = r.center_en,
    g.location = point({latitude: r.lat, longitude: r.lon})
RETURN CASE WHEN before IS NULL THEN 'created' WHEN before = properties(g) THEN 'unchanged' ELSE 'updated' END
       AS outcome, count(*) AS n

// name: upsert_needs
// mode: write
// params: rows
UNWIND $rows AS r
OPTIONAL MATCH (old:Need {code: r.code})
WITH r, properties(old) AS before
MERGE (n:Need {code: r.code})
SET n.description = r.description
RETURN CASE WHEN before IS NULL THEN 'created' WHEN before = properties(n) THEN 'unchanged' ELSE 'updated' END
       AS outcome, count(*) AS n

// name: upsert_provisions
// mode: write
// params: rows
UNWIND $rows AS r
OPTIONAL MATCH (old:LegalProvision {id: r.id})
WITH r, properties(old) AS before
MERGE (p:LegalProvision {id: r.id})
SET p += r.props
RETURN CASE WHEN before IS NULL THEN 'created' WHEN before = properties(p) THEN 'unchanged' ELSE 'updated' END
       AS outcome, count(*) AS n

// name: upsert_responsibilities
// mode: write
// params: rows
// Each responsibility with the provision that assigns it and the needs it covers; the outcome
// compares its properties, provisions and needs before and after.
UNWIND $rows AS r
OPTIONAL MATCH (old:Responsibility {code: r.code})
WITH r, CASE WHEN old IS NOT NULL THEN
  [properties(old), COLLECT { MATCH (old)-[:ASSIGNED_BY]->(p:LegalProvision) RETURN p.id ORDER BY p.id },
   COLLECT { MATCH (old)-[:COVERS]->(n:Need) RETURN n.code ORDER BY n.code }] END AS before
MERGE (x:Responsibility {code: r.code})
SET x.description = r.description
WITH x, r, before
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
RETURN CASE WHEN before IS NULL THEN 'created' WHEN before = [properties(x),
  COLLECT { MATCH (x)-[:ASSIGNED_BY]->(p:LegalProvision) RETURN p.id ORDER BY p.id },
  COLLECT { MATCH (x)-[:COVERS]->(n:Need) RETURN n.code ORDER BY n.code }] THEN 'unchanged' ELSE 'updated' END
       AS outcome, count(*) AS n

// name: upsert_organizations
// mode: write
// params: rows
// Organizations with their region and the responsibilities they hold. A row whose hash equals
// the stored one is left alone ('unchanged'). A changed row sets the properties it carries (a
// null clears one; kind and jurisdiction keep their value, or NGO and LOCAL, when absent) and
// replaces LOCATED_IN and HOLDS when it names a region or responsibilities (null: kept).
// Returns how many rows were created, updated, unchanged.
UNWIND $rows AS r
OPTIONAL MATCH (o:Organization {id: r.id})
WITH r, o, CASE WHEN o IS NULL THEN 'created'
                WHEN o.row_hash = r.hash THEN 'unchanged' ELSE 'updated' END AS outcome
CALL (o, r, outcome) {
  WITH o, r, outcome WHERE outcome = 'updated' AND r.region IS NOT NULL
  MATCH (o)-[old:LOCATED_IN]->()
  DELETE old
}
CALL (o, r, outcome) {
  WITH o, r, outcome WHERE outcome = 'updated' AND r.responsibilities IS NOT NULL
  MATCH (o)-[old:HOLDS]->()
  DELETE old
}
CALL (r, outcome) {
  WITH r, outcome WHERE outcome <> 'unchanged'
  MERGE (o:Organization {id: r.id})
  SET o += r.props, o.id = r.id, o.row_hash = r.hash
  SET o.kind = coalesce(o.kind, 'NGO'), o.jurisdiction = coalesce(o.jurisdiction, 'LOCAL')
  WITH o, r
  CALL (o, r) {
    MATCH (g:Region {code: r.region})
    CREATE (o)-[:LOCATED_IN]->(g)
  }
  CALL (o, r) {
    UNWIND coalesce(r.responsibilities, []) AS code
    MATCH (x:Responsibility {code: code})
    CREATE (o)-[:HOLDS]->(x)
  }
}
RETURN outcome, count(*) AS n

// name: link_organizations
// mode: write
// params: rows
// Partnerships and memberships, after every organization exists. Only the listed
// organizations' own outgoing links are replaced. Outcome: created when the organization had
// none of these links and now has some, unchanged when they are the same as before.
UNWIND $rows AS r
MATCH (o:Organization {id: r.id})
WITH o, r, [COLLECT { MATCH (o)-[:PARTNERS_WITH]->(p) RETURN p.id ORDER BY p.id },
            COLLECT { MATCH (o)-[:MEMBER_OF]->(p) RETURN p.id ORDER BY p.id }] AS before
CALL (o, r) {
  MATCH (o)-[old:PARTNERS_WITH]->(p)
  WHERE NOT p.id IN r.partners
  DELETE old
}
CALL (o, r) {
  MATCH (o)-[old:MEMBER_OF]->(p)
  WHERE NOT p.id IN r.member_of
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
WITH before, [COLLECT { MATCH (o)-[:PARTNERS_WITH]->(p) RETURN p.id ORDER BY p.id },
              COLLECT { MATCH (o)-[:MEMBER_OF]->(p) RETURN p.id ORDER BY p.id }] AS after
RETURN CASE WHEN before = after THEN 'unchanged' WHEN before = [[], []] THEN 'created'
            ELSE 'updated' END AS outcome, count(*) AS n

// name: upsert_services
// mode: write
// params: rows
// Services with their provider, the needs they meet and the regions they serve; unchanged
// rows (same hash) are left alone; a changed row sets the properties it carries (citizenship
// keeps its value, or ANY, when absent; capacity, needs and regions are kept when the row says
// nothing of them: no capacity keys, needs or regions null) and replaces its PROVIDES, MEETS and SERVES. Free
// places are derived, never taken from the row: the places it offers (capacity_offered, at
// most its total) minus those its referrals hold. Returns how many were created, updated,
// unchanged.
UNWIND $rows AS r
OPTIONAL MATCH (s:Service {id: r.id})
WITH r, s, CASE WHEN s IS NULL THEN 'created'
                WHEN s.row_hash = r.hash THEN 'unchanged' ELSE 'updated' END AS outcome
CALL (s, r, outcome) {
  WITH s, r, outcome WHERE outcome = 'updated' AND r.regions IS NOT NULL
  MATCH (s)-[old:SERVES]->()
  DELETE old
}
CALL (s, r, outcome) {
  WITH s, r, outcome WHERE outcome = 'updated' AND r.needs IS NOT NULL
  MATCH (s)-[old:MEETS]->()
  DELETE old
}
CALL (s, outcome) {
  WITH s, outcome WHERE outcome = 'updated'
  MATCH ()-[old:PROVIDES]->(s)
  DELETE old
}
CALL (r, outcome) {
  WITH r, outcome WHERE outcome <> 'unchanged'
  MATCH (o:Organization {id: r.organization_id})
  MERGE (s:Service {id: r.id})
  SET s += r.props, s.id = r.id, s.row_hash = r.hash
  SET s.citizenship = coalesce(s.citizenship, 'ANY'),
      s.capacity_offered = CASE WHEN NOT 'capacity_total' IN keys(r.props) THEN s.capacity_offered
                                WHEN r.props.capacity_total IS NULL THEN null
                                ELSE coalesce(r.props.capacity_available,
                                              r.props.capacity_total) END
  CREATE (o)-[:PROVIDES]->(s)
  WITH s, r
  CALL (s, r) {
    UNWIND coalesce(r.needs, []) AS code
    MATCH (n:Need {code: code})
    CREATE (s)-[:MEETS]->(n)
  }
  CALL (s, r) {
    UNWIND coalesce(r.regions, []) AS code
    MATCH (g:Region {code: code})
    CREATE (s)-[:SERVES]->(g)
  }
  WITH s, CASE WHEN s.capacity_offered IS NULL OR s.capacity_offered > s.capacity_total
               THEN s.capacity_total ELSE s.capacity_offered END
          - COUNT { MATCH (x:Referral)-[:TO]->(s) WHERE x.holds_place } AS left
  SET s.capacity_available = CASE WHEN left < 0 THEN 0 ELSE left END
}
RETURN outcome, count(*) AS n

// name: upsert_records
// mode: write
// params: rows
// HSDS rows the directory model does not map (phones, schedules, contacts, ...), kept whole
// as JSON so that nothing is dropped and exports give them back. Counted like the others.
UNWIND $rows AS r
OPTIONAL MATCH (x:HsdsRecord {key: r.key})
WITH r, x, CASE WHEN x IS NULL THEN 'created'
                WHEN x.row_hash = r.hash THEN 'unchanged' ELSE 'updated' END AS outcome
CALL (r, outcome) {
  WITH r, outcome WHERE outcome <> 'unchanged'
  MERGE (x:HsdsRecord {key: r.key})
  SET x = r.props, x.key = r.key, x.row_hash = r.hash
}
RETURN outcome, count(*) AS n

// name: merge_organization_aliases
// mode: write
// params: rows
// An incoming organization found to be a known one under another name or id: the known one
// keeps its record and learns the other id and name, so the next load merges it again.
// Outcome: updated when it learnt either, unchanged when it knew both.
UNWIND $rows AS r
MATCH (o:Organization {id: r.id})
WITH o, r, [o.merged_ids, o.alternate_names] AS known
SET o.merged_ids = CASE WHEN r.merged_id IN coalesce(o.merged_ids, []) THEN o.merged_ids
                        ELSE coalesce(o.merged_ids, []) + r.merged_id END,
    o.alternate_names = CASE WHEN r.name = o.name OR r.name IN coalesce(o.alternate_names, [])
                             THEN o.alternate_names
                             ELSE coalesce(o.alternate_names, []) + r.name END
RETURN CASE WHEN known = [o.merged_ids, o.alternate_names] THEN 'unchanged' ELSE 'updated' END
       AS outcome, count(*) AS n

// name: stored_organization_hashes
// mode: write
// params: keys
// The stored row hash of each listed organization that exists (read inside the load's
// transaction, so that it sees the load's own earlier writes).
UNWIND $keys AS k
MATCH (o:Organization {id: k})
RETURN k AS key, o.row_hash AS hash

// name: stored_service_hashes
// mode: write
// params: keys
UNWIND $keys AS k
MATCH (s:Service {id: k})
RETURN k AS key, s.row_hash AS hash

// name: stored_record_hashes
// mode: write
// params: keys
UNWIND $keys AS k
MATCH (x:HsdsRecord {key: k})
RETURN k AS key, x.row_hash AS hash

// name: create_organizations
// mode: write
// params: rows, load
// Organizations known not to exist yet (the loader checked their ids in this transaction):
// created with their region and responsibilities, without the per-row checks of an upsert.
// Staged when a chunked load creates them ($load, its id; null in one transaction): invisible to
// readers until the load's closing transaction (graph/load_journal.py).
// The few Region and Responsibility nodes are read once per statement with their codes, so
// that a row picks its own by comparing codes, not by reading each node's code again.
MATCH (x:Responsibility)
WITH collect({code: x.code, node: x}) AS responsibilities
MATCH (g:Region)
WITH responsibilities, collect({code: g.code, node: g}) AS regions
UNWIND $rows AS r
CREATE (o:Organization {id: r.id, row_hash: r.hash, created_by_load: $load})
FOREACH (_ IN CASE WHEN $load IS NULL THEN [] ELSE [1] END | SET o:Staged)
SET o += r.props, o.kind = coalesce(r.props.kind, 'NGO'),
    o.jurisdiction = coalesce(r.props.jurisdiction, 'LOCAL')
FOREACH (g IN [x IN regions WHERE x.code = r.region | x.node] | CREATE (o)-[:LOCATED_IN]->(g))
FOREACH (x IN [y IN responsibilities WHERE y.code IN coalesce(r.responsibilities, []) | y.node] |
  CREATE (o)-[:HOLDS]->(x))
RETURN count(*) AS n

// name: create_services
// mode: write
// params: rows, load
// Services known not to exist yet, with their provider, the needs they meet and the regions
// they serve (the few Need and Region nodes are read once per statement with their codes, not
// per row); Staged, as create_organizations; no referral holds a place of theirs: free places
// are those offered.
MATCH (n:Need)
WITH collect({code: n.code, node: n}) AS needs
MATCH (g:Region)
WITH needs, collect({code: g.code, node: g}) AS regions
UNWIND $rows AS r
MATCH (o:Organization {id: r.organization_id})
CREATE (o)-[:PROVIDES]->(s:Service {id: r.id, row_hash: r.hash, created_by_load: $load})
FOREACH (_ IN CASE WHEN $load IS NULL THEN [] ELSE [1] END | SET s:Staged)
SET s += r.props, s.citizenship = coalesce(r.props.citizenship, 'ANY')
WITH s, r, needs, regions, CASE WHEN r.props.capacity_total IS NULL THEN null
                                ELSE coalesce(r.props.capacity_available, r.props.capacity_total)
                                END AS offered
SET s.capacity_offered = offered,
    s.capacity_available = CASE WHEN offered > s.capacity_total THEN s.capacity_total
                                ELSE offered END
FOREACH (n IN [x IN needs WHERE x.code IN coalesce(r.needs, []) | x.node] |
  CREATE (s)-[:MEETS]->(n))
FOREACH (g IN [x IN regions WHERE x.code IN coalesce(r.regions, []) | x.node] |
  CREATE (s)-[:SERVES]->(g))
RETURN count(*) AS n

// name: create_records
// mode: write
// params: rows, load
// HSDS rows known not to be kept yet; Staged, as create_organizations.
UNWIND $rows AS r
CREATE (x:HsdsRecord {key: r.key, row_hash: r.hash, created_by_load: $load})
FOREACH (_ IN CASE WHEN $load IS NULL THEN [] ELSE [1] END | SET x:Staged)
SET x += r.props
RETURN count(*) AS n

// name: stored_organization_packs
// mode: write
// params: keys
// The HSDS rows kept by each listed organization, to count what a changed load changes.
UNWIND $keys AS k
MATCH (o:Organization {id: k})
RETURN k AS key, o.hsds AS hsds

// name: stored_service_packs
// mode: write
// params: keys
UNWIND $keys AS k
MATCH (s:Service {id: k})
RETURN k AS key, s.hsds AS hsds

// name: delete_superseded_records
// mode: write
// params: keys
// Rows kept one by one by an earlier load that this load keeps in a pack.
UNWIND $keys AS k
MATCH (x:HsdsRecord {key: k})
DELETE x
RETURN count(*) AS n

// name: count_records
// mode: write
// How many HSDS rows are kept one by one (none: nothing can be superseded).
MATCH (x:HsdsRecord)
RETURN count(x) AS n

// name: undo_directory_load_part
// mode: write
// params: id, limit
// Deletes up to `limit` nodes a directory load created (call until it returns 0; see
// graph/load_journal.py).
MATCH (n)
WHERE (n:Organization OR n:Service OR n:HsdsRecord) AND n.created_by_load = $id
WITH n LIMIT $limit
DETACH DELETE n
RETURN count(*) AS n

// name: bump_directory_version
// mode: write
// Every directory write ends here: caches of the directory (routing) compare this version.
MERGE (v:DirectoryVersion {id: 'directory'})
SET v.version = randomUUID()
RETURN v.version AS version

// name: service_referral_holds
// mode: write
// params: rows
// Of the changed service rows (id, organization_id, capacity_total, states_capacity), those
// that would take something from live referrals (PENDING, ACCEPTED, IN_SERVICE): a total
// below the places held, or another organization. Read inside the load's transaction.
UNWIND $rows AS r
MATCH (o:Organization)-[:PROVIDES]->(s:Service {id: r.id})
WITH r, o, s,
     COUNT { MATCH (x:Referral)-[:TO]->(s) WHERE x.holds_place } AS held,
     COUNT { MATCH (x:Referral)-[:TO]->(s)
             WHERE x.status IN ['PENDING', 'ACCEPTED', 'IN_SERVICE'] } AS live
WHERE live > 0 AND ((r.states_capacity AND held > 0
                     AND (r.capacity_total IS NULL OR r.capacity_total < held))
                    OR o.id <> r.organization_id)
RETURN r.id AS id, o.id AS organization_id, held, live
