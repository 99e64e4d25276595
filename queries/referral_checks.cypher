// name: referral_integrity
// Every referral: whether it is whole (sender, service, client and both organizations), its
// events' statuses and the audit events of its changes, oldest first (fault tests).
MATCH (r:Referral)
RETURN r.id AS id,
       (EXISTS { MATCH (r)-[:FROM]->(:Organization&!Staged) } AND EXISTS { MATCH (r)-[:TO]->(:Service&!Staged) }
        AND EXISTS { MATCH (r)-[:FOR]->(:Client) } AND r.from_org_id IS NOT NULL
        AND r.to_org_id IS NOT NULL) AS whole,
       COLLECT { MATCH (r)-[:HAS_EVENT]->(e:ReferralEvent) RETURN e.to_status
                 ORDER BY e.at, e.id } AS events,
       COLLECT { MATCH (a:AuditEvent {target: r.id})
                 WHERE a.action IN ['referral.create', 'referral.accepted', 'referral.declined',
                                    'referral.in_service', 'referral.completed',
                                    'referral.cancelled']
                 RETURN a.action ORDER BY a.at, a.id } AS audits
ORDER BY id

// name: idempotency_keys
// params: prefix
MATCH (k:IdempotencyKey)
WHERE k.key STARTS WITH $prefix
RETURN k.key AS key, k.result_id AS result_id
ORDER BY key
