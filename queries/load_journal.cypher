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
