// name: ftm_stored_nodes
// params: ids
// Statements of a case load that commits in chunks (graph/case_chunks.py): what the database
// holds is read first; entities that do not exist yet are created chunk by chunk, stamped with
// the load (`created_by_load`, undone with it if it fails); changed ones are written in the
// closing transaction by the ftm_upsert_* statements of investigations_write.cypher.
// This one: [id, row hash, labels] of the cases, people and companies a file defines that the
// database already holds (unchanged, changed, or held under another label), in one list: one
// record of thousands of small lists costs the driver a fraction of thousands of records.
UNWIND $ids AS id
MATCH (n:Entity&!Staged {id: id})
RETURN collect([id, n.row_hash, labels(n)]) AS found

// name: ftm_stored_records
// params: ids
// [id, row hash, labels] of the kept FtM records a file defines that the database already holds,
// in one list (as ftm_stored_nodes).
UNWIND $ids AS id
MATCH (x:FtmRecord&!Staged {id: id})
RETURN collect([id, x.row_hash, labels(x)]) AS found

// name: ftm_stored_roles
// params: ids
// The party relationships the database holds for the people a file defines, as one list of
// [person, party id, role]: a person the database knows only as a victim stays pseudonymous
// when a later file states them again (loaders/ftm_mapcore.py).
UNWIND $ids AS id
MATCH (:Person&!Staged {id: id})-[r:SUSPECT_IN|VICTIM_IN|WITNESS_IN]->()
WHERE r.staged IS NULL
RETURN collect([id, r.id, type(r)]) AS found

// name: ftm_stored_people
// params: ids
// The FtM entities (as ftm JSON) of these people as stored by name, not under a pseudonym: a
// file that leaves them victims only maps them again, as victims (loaders/ftm_load.py).
UNWIND $ids AS id
MATCH (p:Person&!Staged {id: id})
WHERE NOT coalesce(p.pseudonymous, false) AND p.ftm IS NOT NULL
RETURN collect(p.ftm) AS found

// name: ftm_stored_held
// params: ids
// The FtM entities, as kept, through which the database ties these people to an identifier
// (a passport, vehicle, account or ownership record; a payment naming their account), in one
// list: a file that leaves them victims only maps these again, without them
// (loaders/ftm_load.py), so that nothing kept names a victim as holder or owner.
UNWIND $ids AS id
MATCH (:Person&!Staged {id: id})-[u:USES]->()
WHERE u.via <> id AND u.staged IS NULL
WITH DISTINCT u.via AS via
CALL (via) {
  MATCH (x:FtmRecord&!Staged {id: via})
  RETURN x.ftm AS ftm
  UNION
  MATCH ()-[p:PAID {id: via}]->()
  USING INDEX SEEK p:PAID(id)
  RETURN p.ftm AS ftm
}
RETURN collect(ftm) AS found

// name: ftm_stored_texts
// params: ids
// [person, FtM entity as kept] of the cases these people are parties to and the FtM
// relationships that touch them (a payment, a family tie...), in one list: a file that leaves
// them victims only maps again, without their names, those whose texts name them
// (loaders/ftm_load.py).
UNWIND $ids AS id
MATCH (p:Person&!Staged {id: id})
CALL (p) {
  MATCH (p)-[r]-(o)
  WHERE r.ftm IS NOT NULL AND r.staged IS NULL AND NOT o:Staged
  RETURN r.ftm AS ftm
  UNION
  MATCH (p)-[r:SUSPECT_IN|VICTIM_IN|WITNESS_IN]->(c:Case&!Staged)
  WHERE r.staged IS NULL
  RETURN c.ftm AS ftm
}
RETURN collect([id, ftm]) AS found

// name: ftm_stored_cases
// params: ids
// [case id, FtM entity as kept] of these cases (those a file's parties name without stating
// them), in one list: their texts may name a person the file makes a victim.
UNWIND $ids AS id
MATCH (c:Case&!Staged {id: id})
RETURN collect([id, c.ftm]) AS found

// name: ftm_drop_victim_ties
// mode: write
// params: ids
// What earlier files tied to the people a load leaves victims only through other entities
// (victims keep no identifier): the tie (a USES stated by an Identification, a Vehicle,
// a UserAccount, an Ownership or a Payment naming her account); the kept FtM record behind it
// when no one else holds the identifier through that record, with what the record stated of
// the identifier (a UserAccount's phone). Identifiers left tied to nothing go afterwards
// (ftm_drop_orphan_identifiers).
UNWIND $ids AS id
MATCH (:Person {id: id})-[u:USES]->(d)
WITH u, d, u.via AS via
DELETE u
WITH DISTINCT d, via
OPTIONAL MATCH (x:FtmRecord {id: via})-[:RECORD_OF]->(d)
WHERE NOT EXISTS { ()-[:USES {via: via}]->(d) }
OPTIONAL MATCH (d)-[stated:REGISTERED_AT {via: via}]->()
WITH x, collect(stated) AS stated
FOREACH (r IN CASE WHEN x IS NULL THEN [] ELSE stated END | DELETE r)
DETACH DELETE x
RETURN count(*) AS n

// name: ftm_withdraw_records
// mode: write
// params: ids
// Kept FtM records a file states again as held by victims only (a passport, a vehicle, an
// account, an ownership): victims keep none, so the older statement goes, with the ties and
// registrations it stated, and its identifier and what that was registered at (an account's
// phone) when nothing else holds them.
UNWIND $ids AS id
MATCH (x:FtmRecord {id: id})-[:RECORD_OF]->(d)
OPTIONAL MATCH (d)-[s:USES|REGISTERED_AT {via: id}]-(o)
WITH x, d, collect(s) AS stated,
     collect(CASE WHEN type(s) = 'REGISTERED_AT' THEN o END) AS beyond
FOREACH (r IN stated | DELETE r)
DETACH DELETE x
WITH d, beyond
UNWIND [d] + beyond AS i
WITH DISTINCT i
WHERE NOT EXISTS { (i)--() }
DELETE i
RETURN count(*) AS n

// name: ftm_identifiers_of
// mode: write
// params: ids
// The ids of the identifiers (phones, emails, addresses, documents, accounts...) the given
// people, whom a load leaves victims only, are tied to, and (beyond) those these are registered
// at (an account's phone): read in the closing transaction before their ties are dropped, so
// that ftm_drop_orphan_identifiers can then drop those no one else holds.
UNWIND $ids AS id
MATCH (:Person {id: id})-[:USES|REGISTERED_AT]->(i:Entity)
OPTIONAL MATCH (i)-[:REGISTERED_AT]->(j:Entity)
RETURN collect(DISTINCT i.id) AS found, collect(DISTINCT j.id) AS beyond

// name: ftm_drop_orphan_identifiers
// mode: write
// params: ids
// Of the identifiers ftm_identifiers_of named, those left tied to nothing (no one uses them, no
// kept FtM record describes them) once their people were left victims only: a victim's phone
// or address stays in the graph only while someone else's statement holds it.
UNWIND $ids AS id
MATCH (i:Entity {id: id})
WHERE NOT EXISTS { (i)--() }
DELETE i
RETURN count(*) AS n

// name: ftm_new_nodes
// mode: write
// params: rows, load
// Cases, people and companies ({id, label, props, hash}) ftm_stored_nodes did not find. The label
// comes from the row (checked against the model by graph.investigations_write.check_rows).
// Staged, as every node a load creates in a chunk: invisible to readers until the load's
// closing transaction (graph/load_journal.py).
UNWIND $rows AS r
CREATE (m:Entity:Staged:$(r.label))
SET m = r.props, m.id = r.id, m.row_hash = r.hash, m.created_by_load = $load
RETURN 'created' AS outcome, count(*) AS n

// name: ftm_new_identifiers
// mode: write
// params: rows, load
// Identifier nodes ({id, label, caption, props}) as ftm_upsert_identifiers writes them, created
// only when missing (never changed by a later load), stamped with the load.
UNWIND $rows AS r
OPTIONAL MATCH (n:Entity {id: r.id})
WITH r, n IS NULL AS fresh
CALL (r, fresh) {
  WITH r, fresh WHERE fresh
  CREATE (m:Entity:Staged {id: r.id})
  SET m += r.props, m.caption = r.caption, m.created_by_load = $load
  SET m:$(r.label)
}
RETURN CASE WHEN fresh THEN 'created' ELSE 'unchanged' END AS outcome, count(*) AS n

// name: ftm_new_records
// mode: write
// params: rows, load
// Kept FtM records ({id, target, props, hash}) ftm_stored_records did not find, tied to their
// identifier (the tie goes with the record when the load is undone).
UNWIND $rows AS r
MATCH (t:Entity {id: r.target})
CREATE (m:FtmRecord:Staged)
SET m = r.props, m.id = r.id, m.row_hash = r.hash, m.created_by_load = $load
CREATE (m)-[:RECORD_OF]->(t)
RETURN 'created' AS outcome, count(*) AS n

// name: ftm_new_edges
// mode: write
// params: rows, load
// FtM edge entities ({id, type, from, to, props, hash}) ftm_known_edges did not find, created
// outright and stamped: their ends may both be older than the load, so the relationship itself
// carries the stamp (undo_case_load_relationships) and, between two nodes older than the load
// (not Staged), `staged` too: hidden from readers until the closing transaction removes it.
UNWIND $rows AS r
MATCH (a:Entity {id: r.from})
MATCH (b:Entity {id: r.to})
CREATE (a)-[x:$(r.type)]->(b)
SET x = r.props, x.id = r.id, x.row_hash = r.hash, x.created_by_load = $load,
    x.staged = CASE WHEN a:Staged OR b:Staged THEN null ELSE $load END
RETURN 'created' AS outcome, count(*) AS n

// name: ftm_new_links
// mode: write
// params: rows, load
// Relationships stated by an entity's properties ({type, from, to, via}) as ftm_link writes
// them, stamped when created (for entities the load leaves unchanged or creates: those of a
// changed entity are stated again in the closing transaction, after its update dropped them).
UNWIND $rows AS r
MATCH (a:Entity {id: r.from})
MATCH (b:Entity {id: r.to})
OPTIONAL MATCH (a)-[x:USES|REGISTERED_AT]->(b)
WHERE type(x) = r.type AND x.via = r.via
WITH a, b, r, count(x) AS found
CALL (a, b, r, found) {
  WITH a, b, r, found WHERE found = 0
  CREATE (a)-[x:$(r.type)]->(b)
  SET x.via = r.via, x.created_by_load = $load,
      x.staged = CASE WHEN a:Staged OR b:Staged THEN null ELSE $load END
}
RETURN CASE WHEN found = 0 THEN 'created' ELSE 'unchanged' END AS outcome, count(*) AS n

// name: ftm_fresh_links
// mode: write
// params: rows, load
// Relationships stated by an entity this load creates ({type, from, to, via}), as ftm_new_links
// writes them: none of them can exist yet (the mapper states each once, and the entity stating
// them is new), so they are created without looking for them first, which also spares reading
// the relationships of identifiers other chunks are adding to at the same time.
UNWIND $rows AS r
MATCH (a:Entity {id: r.from})
MATCH (b:Entity {id: r.to})
CREATE (a)-[x:$(r.type)]->(b)
SET x.via = r.via, x.created_by_load = $load,
    x.staged = CASE WHEN a:Staged OR b:Staged THEN null ELSE $load END
RETURN 'created' AS outcome, count(*) AS n

// name: undo_case_load_nodes
// mode: write
// params: id, limit
// Deletes up to `limit` nodes a case load created, with their relationships (call until it
// returns 0; graph/load_journal.py). Found by the created_by_load indexes (queries/schema.cypher).
CALL () {
  MATCH (n:Entity {created_by_load: $id})
  RETURN n
  UNION
  MATCH (n:FtmRecord {created_by_load: $id})
  RETURN n
}
WITH n LIMIT $limit
DETACH DELETE n
RETURN count(*) AS n

// name: undo_case_load_relationships
// mode: write
// params: id, limit
// Deletes up to `limit` relationships a case load created between nodes older than it (run after
// undo_case_load_nodes, which took those touching its own nodes). No index holds relationships by
// their stamp (one per type would be kept up to date by every load for the failure path only):
// this scans the relationships of these types, on the failure path only.
MATCH ()-[r:SUSPECT_IN|VICTIM_IN|WITNESS_IN|ASSOCIATE_OF|FAMILY_OF|EMPLOYED_BY|MEMBER_OF_ORG|OWNS|PAID|LINKED_TO|USES|REGISTERED_AT]->()
WHERE r.created_by_load = $id
WITH r LIMIT $limit
DELETE r
RETURN count(*) AS n

// name: refresh_suspect_labels
// mode: write
// params:
// The Suspect role (graph/model/investigations.yaml): on every person or company with a
// SUSPECT_IN relationship, on no other node. Run in a case load's closing transaction, after an
// undo, and when the schema is applied (a database loaded before the role existed). Reads the
// SUSPECT_IN relationships and the nodes labelled Suspect, whatever the load touched, so that
// the label cannot drift from the relationships it stands for. A SUSPECT_IN of a load under way
// (`staged`, or to a Staged case) does not count: readers do not see it.
CALL () {
  MATCH (p:Suspect)
  WHERE NOT EXISTS { (p)-[r:SUSPECT_IN]->(c) WHERE r.staged IS NULL AND NOT c:Staged }
  REMOVE p:Suspect
  RETURN count(p) AS removed
}
CALL () {
  MATCH (p:Entity)-[r:SUSPECT_IN]->(c)
  WHERE NOT p:Suspect AND r.staged IS NULL AND NOT c:Staged
  WITH DISTINCT p
  SET p:Suspect
  RETURN count(p) AS added
}
RETURN removed, added
