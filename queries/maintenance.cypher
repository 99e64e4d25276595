// name: directory_fingerprint
// Every directory node (label and properties) and relationship, in a stable order, so tests
// and operators can tell whether a load changed anything. Tokens, audit events, the load
// journal and lease (DirectoryLoad, LoadLease, created_by_load) and the version caches compare
// (DirectoryVersion) excluded.
CALL () {
  MATCH (n)
  WHERE NOT n:ApiToken AND NOT n:AuditEvent AND NOT n:DirectoryLoad AND NOT n:DirectoryVersion
    AND NOT n:LoadLease
  WITH n ORDER BY labels(n)[0], coalesce(n.id, n.code, n.key)
  RETURN collect([labels(n)[0], n {.*, created_by_load: null}]) AS nodes
}
CALL () {
  MATCH (a)-[r]->(b)
  WHERE NOT a:ApiToken AND NOT a:AuditEvent
  WITH labels(a)[0] + ':' + coalesce(a.id, a.code) + '-' + type(r) + '->' + labels(b)[0] + ':'
       + coalesce(b.id, b.code) AS rel
  ORDER BY rel
  RETURN collect(rel) AS rels
}
RETURN nodes, rels

// name: wipe_directory
// mode: write
// Deletes every directory node (organizations, services, kept HSDS rows and the reference
// data), keeping tokens and the audit trail. For tests and for rebuilding a directory.
MATCH (n)
WHERE NOT n:ApiToken AND NOT n:AuditEvent
DETACH DELETE n
RETURN count(*) AS n

// name: schema_constraint_names
// mode: read
// The names of the constraints the database holds (tests: commands apply the schema first).
SHOW CONSTRAINTS YIELD name
RETURN collect(name) AS names

// name: rows_of_unfinished_loads
// mode: read
// params: kind
// How many nodes the loads of a kind that have not finished (running, or left by a dead
// process) have committed so far: an operator's look at a load, and what fault tests wait on.
// Scans every node: not for a request path.
MATCH (l:DirectoryLoad {status: 'RUNNING'})
WHERE coalesce(l.kind, 'directory') = $kind
WITH collect(l.id) AS loads
MATCH (n)
WHERE n.created_by_load IN loads
RETURN count(n) AS n
