// name: create_token
// mode: write
// params: id, name, role, secret_hash, organization_id, created_at
// Stores a new API token; only the SHA-256 of its secret is kept.
CREATE (t:ApiToken {id: $id, name: $name, role: $role, secret_hash: $secret_hash,
                    organization_id: $organization_id, created_at: $created_at})
RETURN t.id AS id

// name: find_tokens
// params: secret_hashes
// The live (not revoked) tokens with these hashes: the requests that arrived together
// (graph/coalesce.py) are authenticated by one statement.
UNWIND $secret_hashes AS h
MATCH (t:ApiToken {secret_hash: h})
WHERE t.revoked_at IS NULL
RETURN h AS secret_hash, t {.id, .name, .role, .organization_id} AS token

// name: arrivals
// params: secret_hashes, since
// What the requests that arrived together read first (api/arrivals.py): their live tokens,
// and what the routing cache must know to answer without a read of its own, as route_live.
CALL () {
  UNWIND $secret_hashes AS h
  MATCH (t:ApiToken {secret_hash: h})
  WHERE t.revoked_at IS NULL
  RETURN collect({secret_hash: h, token: t {.id, .name, .role, .organization_id}}) AS tokens
}
OPTIONAL MATCH (v:DirectoryVersion {id: 'directory'})
CALL () {
  MATCH (s:Service)
  WHERE s.places_changed_at >= $since AND NOT s:Staged
  RETURN collect([s.id, s.capacity_available]) AS live
}
RETURN tokens, v.version AS version, live, timestamp() AS now

// name: list_tokens
MATCH (t:ApiToken)
RETURN t {.id, .name, .role, .organization_id, created_at: toString(t.created_at),
          revoked_at: toString(t.revoked_at)} AS token
ORDER BY t.created_at

// name: revoke_token
// mode: write
// params: id, at
MATCH (t:ApiToken {id: $id})
SET t.revoked_at = coalesce(t.revoked_at, $at)
RETURN t.id AS id

// name: record_audit_events
// mode: write
// params: rows
// Appends audit events (who did what to which target, when).
UNWIND $rows AS r
CREATE (e:AuditEvent {id: r.id, at: r.at, actor: r.actor, role: r.role, action: r.action,
                      target: r.target, detail: r.detail})
RETURN count(e) AS n

// name: list_audit_events
// params: limit
MATCH (e:AuditEvent)
WITH e ORDER BY e.at DESC LIMIT $limit
RETURN e {.id, .actor, .role, .action, .target, .detail, at: toString(e.at)} AS event
