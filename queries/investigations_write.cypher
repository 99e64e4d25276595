// name: ftm_upsert_nodes
// mode: write
// params: rows
// Cases, people and companies ({id, label, props, hash}): a row whose hash equals the stored one
// is left alone ('unchanged'); a changed one replaces the node's properties and drops the
// relationships its properties stated (re-stated by ftm_link); a new one is created (ids are
// unique within a file, and the id constraint guards the rest). The label comes from the row
// (checked against the model by graph.investigations_write.check_rows). An id the database
// holds under another label (a person loaded as a company) is a 'conflict': nothing is written
// for it and the loader aborts the transaction.
UNWIND $rows AS r
OPTIONAL MATCH (n:Entity {id: r.id})
WITH r, n, CASE WHEN n IS NULL THEN 'created'
                WHEN NOT r.label IN labels(n) THEN 'conflict'
                WHEN n.row_hash = r.hash THEN 'unchanged' ELSE 'updated' END AS outcome
CALL (n, r, outcome) {
  WITH n, r, outcome WHERE outcome = 'updated'
  OPTIONAL MATCH (n)-[d:USES|REGISTERED_AT]->()
  WHERE d.via = n.id
  DELETE d
  WITH DISTINCT n, r
  SET n = r.props, n.id = r.id, n.row_hash = r.hash
}
CALL (r, outcome) {
  WITH r, outcome WHERE outcome = 'created'
  CREATE (m:Entity:$(r.label))
  SET m = r.props, m.id = r.id, m.row_hash = r.hash
}
RETURN outcome, count(*) AS n, collect(CASE WHEN outcome = 'conflict' THEN r.id END)[..50] AS ids

// name: ftm_upsert_identifiers
// mode: write
// params: rows
// Identifier nodes ({id, label, caption, props}): one per normalized value, shared by everyone
// who uses it; created once, never changed by a later load ('unchanged').
UNWIND $rows AS r
OPTIONAL MATCH (n:Entity {id: r.id})
WITH r, n IS NULL AS fresh
CALL (r, fresh) {
  WITH r, fresh WHERE fresh
  CREATE (m:Entity {id: r.id})
  SET m += r.props, m.caption = r.caption
  SET m:$(r.label)
}
RETURN CASE WHEN fresh THEN 'created' ELSE 'unchanged' END AS outcome, count(*) AS n

// name: ftm_upsert_records
// mode: write
// params: rows
// The FtM entities merged into an identifier (an Address, BankAccount, Vehicle, UserAccount,
// Identification or Ownership entity: {id, target, props, hash}), kept whole as JSON and tied to
// their identifier. A changed record drops the relationships it stated and its old tie.
UNWIND $rows AS r
OPTIONAL MATCH (rec:FtmRecord {id: r.id})
WITH r, rec, CASE WHEN rec IS NULL THEN 'created'
                  WHEN rec.row_hash = r.hash THEN 'unchanged' ELSE 'updated' END AS outcome
CALL (rec, outcome) {
  WITH rec, outcome WHERE outcome = 'updated'
  MATCH (rec)-[tie:RECORD_OF]->(old)
  OPTIONAL MATCH (old)-[d:USES|REGISTERED_AT]-()
  WHERE d.via = rec.id
  DELETE d, tie
}
CALL (r, outcome) {
  WITH r, outcome WHERE outcome <> 'unchanged'
  MATCH (t:Entity {id: r.target})
  MERGE (m:FtmRecord {id: r.id})
  SET m = r.props, m.id = r.id, m.row_hash = r.hash
  MERGE (m)-[:RECORD_OF]->(t)
}
RETURN outcome, count(*) AS n

// name: ftm_create_edges
// mode: write
// params: rows
// FtM edge entities ({id, type, from, to, props, hash}) that ftm_known_edges did not find before
// the transaction: created outright, without looking for an old relationship (ftm_upsert_edges
// does that for the known ones).
UNWIND $rows AS r
MATCH (a:Entity {id: r.from})
MATCH (b:Entity {id: r.to})
CREATE (a)-[x:$(r.type)]->(b)
SET x = r.props, x.id = r.id, x.row_hash = r.hash
RETURN 'created' AS outcome, count(*) AS n

// name: ftm_upsert_edges
// mode: write
// params: rows
// FtM edge entities ({id, type, from, to, props, hash, known}) as relationships carrying the
// entity's id and JSON. The existing relationship is looked up by the relationship index of its
// type (a party's role may have changed: all three role types are looked in), unless `known` is
// false: ftm_known_edges did not find the id before the transaction. Within one transaction an
// index seek also scans what the transaction created, so looking up every new edge would grow
// with the square of the file. A changed edge is replaced, with the relationships it stated (a
// payment's accounts), even when its ends moved.
UNWIND $rows AS r
MATCH (a:Entity {id: r.from})
MATCH (b:Entity {id: r.to})
OPTIONAL CALL (r) {
  WITH r WHERE coalesce(r.known, true) AND r.type IN ['SUSPECT_IN', 'VICTIM_IN', 'WITNESS_IN']
  MATCH ()-[old:SUSPECT_IN {id: r.id}]->()
  USING INDEX SEEK old:SUSPECT_IN(id)
  RETURN old
  UNION
  WITH r WHERE coalesce(r.known, true) AND r.type IN ['SUSPECT_IN', 'VICTIM_IN', 'WITNESS_IN']
  MATCH ()-[old:VICTIM_IN {id: r.id}]->()
  USING INDEX SEEK old:VICTIM_IN(id)
  RETURN old
  UNION
  WITH r WHERE coalesce(r.known, true) AND r.type IN ['SUSPECT_IN', 'VICTIM_IN', 'WITNESS_IN']
  MATCH ()-[old:WITNESS_IN {id: r.id}]->()
  USING INDEX SEEK old:WITNESS_IN(id)
  RETURN old
  UNION
  WITH r WHERE coalesce(r.known, true) AND r.type = 'ASSOCIATE_OF'
  MATCH ()-[old:ASSOCIATE_OF {id: r.id}]->()
  USING INDEX SEEK old:ASSOCIATE_OF(id)
  RETURN old
  UNION
  WITH r WHERE coalesce(r.known, true) AND r.type = 'FAMILY_OF'
  MATCH ()-[old:FAMILY_OF {id: r.id}]->()
  USING INDEX SEEK old:FAMILY_OF(id)
  RETURN old
  UNION
  WITH r WHERE coalesce(r.known, true) AND r.type = 'EMPLOYED_BY'
  MATCH ()-[old:EMPLOYED_BY {id: r.id}]->()
  USING INDEX SEEK old:EMPLOYED_BY(id)
  RETURN old
  UNION
  WITH r WHERE coalesce(r.known, true) AND r.type = 'MEMBER_OF_ORG'
  MATCH ()-[old:MEMBER_OF_ORG {id: r.id}]->()
  USING INDEX SEEK old:MEMBER_OF_ORG(id)
  RETURN old
  UNION
  WITH r WHERE coalesce(r.known, true) AND r.type = 'OWNS'
  MATCH ()-[old:OWNS {id: r.id}]->()
  USING INDEX SEEK old:OWNS(id)
  RETURN old
  UNION
  WITH r WHERE coalesce(r.known, true) AND r.type = 'PAID'
  MATCH ()-[old:PAID {id: r.id}]->()
  USING INDEX SEEK old:PAID(id)
  RETURN old
  UNION
  WITH r WHERE coalesce(r.known, true) AND r.type = 'LINKED_TO'
  MATCH ()-[old:LINKED_TO {id: r.id}]->()
  USING INDEX SEEK old:LINKED_TO(id)
  RETURN old
}
WITH r, a, b, old, CASE WHEN old IS NULL THEN 'created'
                        WHEN old.row_hash = r.hash THEN 'unchanged' ELSE 'updated' END AS outcome
CALL (old, r, outcome) {
  WITH old, r, outcome WHERE outcome = 'updated'
  WITH old, r, [startNode(old), endNode(old)] AS ends
  CALL (ends, r) {
    UNWIND ends AS e
    MATCH (e)-[d:USES]->()
    WHERE d.via = r.id
    DELETE d
  }
  DELETE old
}
CALL (a, b, r, outcome) {
  WITH a, b, r, outcome WHERE outcome <> 'unchanged'
  CREATE (a)-[x:$(r.type)]->(b)
  SET x = r.props, x.id = r.id, x.row_hash = r.hash
}
RETURN outcome, count(*) AS n

// name: ftm_known_edges
// params: ids
// Which of these FtM edge entities the database already holds, as one list of [id, row hash]
// (read before a load writes; see ftm_upsert_edges). `ids` maps each relationship type to the
// ids asked of it, every key present (an empty list when none), `parties` holding those of
// CourtCaseParty: each id is sought in the index of its own type only (a party in those of the
// three roles: its role may have changed). One list per type rather than one of {id, type}:
// every row of a single list would go through each branch's test of its type.
CALL () {
  UNWIND $ids.parties AS id
  MATCH ()-[r:SUSPECT_IN {id: id}]->()
  USING INDEX SEEK r:SUSPECT_IN(id)
  RETURN r.id AS known, r.row_hash AS hash
  UNION
  UNWIND $ids.parties AS id
  MATCH ()-[r:VICTIM_IN {id: id}]->()
  USING INDEX SEEK r:VICTIM_IN(id)
  RETURN r.id AS known, r.row_hash AS hash
  UNION
  UNWIND $ids.parties AS id
  MATCH ()-[r:WITNESS_IN {id: id}]->()
  USING INDEX SEEK r:WITNESS_IN(id)
  RETURN r.id AS known, r.row_hash AS hash
  UNION
  UNWIND $ids.ASSOCIATE_OF AS id
  MATCH ()-[r:ASSOCIATE_OF {id: id}]->()
  USING INDEX SEEK r:ASSOCIATE_OF(id)
  RETURN r.id AS known, r.row_hash AS hash
  UNION
  UNWIND $ids.FAMILY_OF AS id
  MATCH ()-[r:FAMILY_OF {id: id}]->()
  USING INDEX SEEK r:FAMILY_OF(id)
  RETURN r.id AS known, r.row_hash AS hash
  UNION
  UNWIND $ids.EMPLOYED_BY AS id
  MATCH ()-[r:EMPLOYED_BY {id: id}]->()
  USING INDEX SEEK r:EMPLOYED_BY(id)
  RETURN r.id AS known, r.row_hash AS hash
  UNION
  UNWIND $ids.MEMBER_OF_ORG AS id
  MATCH ()-[r:MEMBER_OF_ORG {id: id}]->()
  USING INDEX SEEK r:MEMBER_OF_ORG(id)
  RETURN r.id AS known, r.row_hash AS hash
  UNION
  UNWIND $ids.OWNS AS id
  MATCH ()-[r:OWNS {id: id}]->()
  USING INDEX SEEK r:OWNS(id)
  RETURN r.id AS known, r.row_hash AS hash
  UNION
  UNWIND $ids.PAID AS id
  MATCH ()-[r:PAID {id: id}]->()
  USING INDEX SEEK r:PAID(id)
  RETURN r.id AS known, r.row_hash AS hash
  UNION
  UNWIND $ids.LINKED_TO AS id
  MATCH ()-[r:LINKED_TO {id: id}]->()
  USING INDEX SEEK r:LINKED_TO(id)
  RETURN r.id AS known, r.row_hash AS hash
}
WITH DISTINCT known, hash
RETURN collect([known, hash]) AS found

// name: ftm_edge_types_held
// The FtM edge relationship types the database holds at least one of (each answered by the first
// relationship of its type found): an edge of another type cannot be known, and is not looked
// for (mark_known_edges).
UNWIND [CASE WHEN EXISTS { ()-[:SUSPECT_IN]->() } THEN 'SUSPECT_IN' END,
        CASE WHEN EXISTS { ()-[:VICTIM_IN]->() } THEN 'VICTIM_IN' END,
        CASE WHEN EXISTS { ()-[:WITNESS_IN]->() } THEN 'WITNESS_IN' END,
        CASE WHEN EXISTS { ()-[:ASSOCIATE_OF]->() } THEN 'ASSOCIATE_OF' END,
        CASE WHEN EXISTS { ()-[:FAMILY_OF]->() } THEN 'FAMILY_OF' END,
        CASE WHEN EXISTS { ()-[:EMPLOYED_BY]->() } THEN 'EMPLOYED_BY' END,
        CASE WHEN EXISTS { ()-[:MEMBER_OF_ORG]->() } THEN 'MEMBER_OF_ORG' END,
        CASE WHEN EXISTS { ()-[:OWNS]->() } THEN 'OWNS' END,
        CASE WHEN EXISTS { ()-[:PAID]->() } THEN 'PAID' END,
        CASE WHEN EXISTS { ()-[:LINKED_TO]->() } THEN 'LINKED_TO' END] AS type
WITH type WHERE type IS NOT NULL
RETURN type

// name: ftm_link
// mode: write
// params: rows
// Relationships stated by an entity's properties ({type, from, to, via}): a person's phone, a
// payment's account, an account's address. Created when missing, else 'unchanged'.
UNWIND $rows AS r
MATCH (a:Entity {id: r.from})
MATCH (b:Entity {id: r.to})
OPTIONAL MATCH (a)-[x:USES|REGISTERED_AT]->(b)
WHERE type(x) = r.type AND x.via = r.via
WITH a, b, r, count(x) AS found
CALL (a, b, r, found) {
  WITH a, b, r, found WHERE found = 0
  CREATE (a)-[x:$(r.type)]->(b)
  SET x.via = r.via
}
RETURN CASE WHEN found = 0 THEN 'created' ELSE 'unchanged' END AS outcome, count(*) AS n

// name: ftm_resolve
// params: ids
// What the database knows of ids a file refers to without defining them, as one list of
// [id, label, node]: an entity's label, or for an FtM entity merged into an identifier, that
// identifier.
UNWIND $ids AS id
CALL (id) {
  MATCH (n:Entity&!Staged {id: id})
  RETURN [l IN labels(n) WHERE NOT l IN ['Entity', 'Suspect']][0] AS label, n.id AS node
  UNION
  MATCH (:FtmRecord&!Staged {id: id})-[:RECORD_OF]->(t)
  RETURN [l IN labels(t) WHERE NOT l IN ['Entity', 'Suspect']][0] AS label, t.id AS node
}
RETURN collect([id, label, node]) AS found

// name: ftm_existing_labels
// params: ids
// The labels under which the database knows ids this file defines (a person must stay a person).
UNWIND $ids AS id
MATCH (n:Entity&!Staged {id: id})
RETURN id, [l IN labels(n) WHERE NOT l IN ['Entity', 'Suspect']][0] AS label

// name: investigations_fingerprint
// Every investigation node (labels and properties) and relationship, in a stable order, so that
// tests and operators can tell whether a load changed anything; the stamp of the load that
// created a node (created_by_load) is left out. The directory's own fingerprint is
// directory_fingerprint.
CALL () {
  MATCH (n)
  WHERE n:Entity OR n:FtmRecord
  WITH n ORDER BY n.id
  RETURN collect([labels(n), n {.*, created_by_load: null}]) AS nodes
}
CALL () {
  MATCH (a)-[r]->(b)
  WHERE (a:Entity OR a:FtmRecord) AND (b:Entity OR b:FtmRecord)
  WITH a.id + '-' + type(r) + coalesce('/' + r.id, '') + coalesce('/' + r.via, '')
       + coalesce('/' + r.status, '') + '->' + b.id AS rel
  ORDER BY rel
  RETURN collect(rel) AS rels
}
RETURN nodes, rels

// name: wipe_investigations
// mode: write
// Deletes every case node, identifier and kept FtM record (tests; rebuilding the case graph).
MATCH (n)
WHERE n:Entity OR n:FtmRecord
DETACH DELETE n
RETURN count(*) AS n

// name: ftm_await_name_index
// mode: write
// The person name index is eventually consistent (queries/schema.cypher): wait until it holds
// every committed change, so that matchCandidates finds what a load has just written.
CALL db.index.fulltext.awaitEventuallyConsistentIndexRefresh()
