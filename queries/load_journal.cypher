// name: start_load
// mode: write
// params: id, source, kind
// Journal of a load whose new rows are committed chunk by chunk (graph/load_journal.py): kind
// 'directory' (`load directory`) or 'cases' (`load cases`). One label for both, so that a
// journal written before case loads had one (no kind) is a directory load.
CREATE (l:DirectoryLoad {id: $id, source: $source, kind: $kind, status: 'RUNNING',
                         started_at: datetime()})
RETURN l.id AS id

// name: unfinished_loads
// mode: write
// params: kind
// Loads of this kind that never finished: their process died before it could undo them.
MATCH (l:DirectoryLoad {status: 'RUNNING'})
WHERE coalesce(l.kind, 'directory') = $kind
RETURN l.id AS id, l.source AS source, toString(l.started_at) AS started_at
ORDER BY l.started_at

// name: finish_load
// mode: write
// params: id, status, written
MATCH (l:DirectoryLoad {id: $id})
SET l.status = $status, l.finished_at = datetime(), l.written = $written
RETURN l.id AS id

// name: unstage_load_nodes
// mode: write
// params: id
// In a load's closing transaction, with its DONE: the nodes it created in chunks lose the label
// Staged (graph/model/loads.yaml), so that readers see all of them at once, with the journal's
// DONE. Found by the label (Neo4j's label lookup index holds only the nodes of unfinished loads).
MATCH (n:Staged)
WHERE n.created_by_load = $id
REMOVE n:Staged
RETURN count(n) AS n

// name: unstage_case_load_relationships
// mode: write
// params: id
// As unstage_load_nodes, for the relationships a case load created between two nodes older than
// it: they lose `staged`, found by the indexes on it (queries/schema.cypher), one per type.
CALL () {
  MATCH ()-[r:SUSPECT_IN]->()
  USING INDEX SEEK r:SUSPECT_IN(staged)
  WHERE r.staged = $id
  REMOVE r.staged
  RETURN count(r) AS n
  UNION ALL
  MATCH ()-[r:VICTIM_IN]->()
  USING INDEX SEEK r:VICTIM_IN(staged)
  WHERE r.staged = $id
  REMOVE r.staged
  RETURN count(r) AS n
  UNION ALL
  MATCH ()-[r:WITNESS_IN]->()
  USING INDEX SEEK r:WITNESS_IN(staged)
  WHERE r.staged = $id
  REMOVE r.staged
  RETURN count(r) AS n
  UNION ALL
  MATCH ()-[r:ASSOCIATE_OF]->()
  USING INDEX SEEK r:ASSOCIATE_OF(staged)
  WHERE r.staged = $id
  REMOVE r.staged
  RETURN count(r) AS n
  UNION ALL
  MATCH ()-[r:FAMILY_OF]->()
  USING INDEX SEEK r:FAMILY_OF(staged)
  WHERE r.staged = $id
  REMOVE r.staged
  RETURN count(r) AS n
  UNION ALL
  MATCH ()-[r:EMPLOYED_BY]->()
  USING INDEX SEEK r:EMPLOYED_BY(staged)
  WHERE r.staged = $id
  REMOVE r.staged
  RETURN count(r) AS n
  UNION ALL
  MATCH ()-[r:MEMBER_OF_ORG]->()
  USING INDEX SEEK r:MEMBER_OF_ORG(staged)
  WHERE r.staged = $id
  REMOVE r.staged
  RETURN count(r) AS n
  UNION ALL
  MATCH ()-[r:OWNS]->()
  USING INDEX SEEK r:OWNS(staged)
  WHERE r.staged = $id
  REMOVE r.staged
  RETURN count(r) AS n
  UNION ALL
  MATCH ()-[r:PAID]->()
  USING INDEX SEEK r:PAID(staged)
  WHERE r.staged = $id
  REMOVE r.staged
  RETURN count(r) AS n
  UNION ALL
  MATCH ()-[r:LINKED_TO]->()
  USING INDEX SEEK r:LINKED_TO(staged)
  WHERE r.staged = $id
  REMOVE r.staged
  RETURN count(r) AS n
  UNION ALL
  MATCH ()-[r:USES]->()
  USING INDEX SEEK r:USES(staged)
  WHERE r.staged = $id
  REMOVE r.staged
  RETURN count(r) AS n
  UNION ALL
  MATCH ()-[r:REGISTERED_AT]->()
  USING INDEX SEEK r:REGISTERED_AT(staged)
  WHERE r.staged = $id
  REMOVE r.staged
  RETURN count(r) AS n
}
RETURN sum(n) AS n
