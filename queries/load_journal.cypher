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
// Loads of this kind that never finished, or whose undo never finished. Asked by the holder of
// the kind's lease only: their process died, or stalled past its lease (graph/load_lease.py).
MATCH (l:DirectoryLoad)
WHERE l.status IN ['RUNNING', 'UNDOING'] AND coalesce(l.kind, 'directory') = $kind
RETURN l.id AS id, l.source AS source, toString(l.started_at) AS started_at
ORDER BY l.started_at

// name: hold_load
// mode: write
// params: id, kind
// Last statement of a load's chunk, first of its closing transaction: the journal is locked
// (touched_at written before its status is read), still RUNNING, and the load still holds its
// kind's lease. No row: another load took over (and marks it UNDOING before it undoes it).
MATCH (l:DirectoryLoad {id: $id})
SET l.touched_at = datetime()
WITH l
WHERE l.status = 'RUNNING' AND EXISTS { MATCH (:LoadLease {kind: $kind, holder: $id}) }
RETURN l.id AS id

// name: mark_load_undoing
// mode: write
// params: id
// Before an undo deletes a load's rows: the journal locked, then marked, unless it is DONE (its
// closing transaction committed first) or UNDONE already. No row: nothing to undo.
MATCH (l:DirectoryLoad {id: $id})
SET l.touched_at = datetime()
WITH l
WHERE l.status IN ['RUNNING', 'UNDOING']
SET l.status = 'UNDOING'
RETURN l.id AS id

// name: acquire_load_lease
// mode: write
// params: kind, id, source, seconds
// Takes the kind's lease when it is free or has expired (its holder is dead or stalled). The
// node is MERGEd on a unique key and locked (checked_at written) before it is read, so two
// loads asking at once cannot both win. Times are the database's: one clock for every process.
MERGE (l:LoadLease {kind: $kind})
SET l.checked_at = datetime()
WITH l, l.holder IS NULL OR l.expires_at < datetime() AS free
FOREACH (_ IN CASE WHEN free THEN [1] ELSE [] END |
  SET l.holder = $id, l.source = $source, l.since = datetime(),
      l.expires_at = datetime() + duration({seconds: $seconds}))
RETURN free AS acquired, l.holder AS holder, l.source AS source,
       toString(datetime.truncate('second', l.since)) AS since

// name: renew_load_lease
// mode: write
// params: kind, id, seconds
// The holder pushes its lease's end on. No row: the lease is not its own any more.
MATCH (l:LoadLease {kind: $kind})
SET l.checked_at = datetime()
WITH l
WHERE l.holder = $id
SET l.expires_at = datetime() + duration({seconds: $seconds})
RETURN l.holder AS holder

// name: release_load_lease
// mode: write
// params: kind, id
// The holder lets its lease go (at the end of its closing transaction, or after its undo).
MATCH (l:LoadLease {kind: $kind})
SET l.checked_at = datetime()
WITH l
WHERE l.holder = $id
REMOVE l.holder, l.source, l.since, l.expires_at
RETURN count(l) AS released

// name: load_leases
// The leases, held or free (tests, and an operator asking what runs).
MATCH (l:LoadLease)
RETURN l {.kind, .holder, .source, since: toString(l.since),
          expires_at: toString(l.expires_at)} AS lease
ORDER BY l.kind

// name: finish_load
// mode: write
// params: id, status, written
MATCH (l:DirectoryLoad {id: $id})
SET l.status = $status, l.finished_at = datetime(), l.written = $written
RETURN l.id AS id

// name: load_journals
// The journals of every load, oldest first (tests, and an operator asking what ran).
MATCH (l:DirectoryLoad)
RETURN l {.id, .source, .status, .written, kind: coalesce(l.kind, 'directory'),
          started_at: toString(l.started_at), finished_at: toString(l.finished_at)} AS load
ORDER BY l.started_at

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
