// name: create_referral
// mode: write
// params: referral, client_id, client, from_org, service_id, event, rerouted_from
// A new PENDING referral from an organization to a service for a pseudonymous client (the
// same client node when re-routed), with its first event. The sending and the receiving
// organization (the service's now) are stored on it: a service moved later to another
// organization does not take its referrals along. Returns nothing when the organization or
// the service does not exist.
MATCH (o:Organization&!Staged {id: $from_org})
MATCH (s:Service&!Staged {id: $service_id})<-[:PROVIDES]-(to:Organization&!Staged)
MERGE (c:Client {id: $client_id})
ON CREATE SET c += $client
CREATE (r:Referral)
SET r = $referral, r.from_org_id = o.id, r.to_org_id = to.id
CREATE (r)-[:FROM]->(o), (r)-[:TO]->(s), (r)-[:FOR]->(c)
CREATE (e:ReferralEvent)
SET e = $event
CREATE (r)-[:HAS_EVENT]->(e)
WITH r
CALL (r) {
  MATCH (prev:Referral {id: $rerouted_from})
  CREATE (r)-[:REROUTED_FROM]->(prev)
}
RETURN r.id AS id

// name: transition_referral
// mode: write
// params: id, expected_version, to, allowed_from, take_place, release_place, decline_reason, now, event
// One status change, atomically: the referral (and, when places move, its service) is locked
// by a write before anything is read, so the version check and the capacity check see the
// latest committed values; nothing changes unless every check passes. The service's free
// places are derived again: the places the directory offers (capacity_offered, at most its
// total) minus those its referrals hold. Returns the checks.
MATCH (r:Referral {id: $id})-[:TO]->(s:Service)
SET r.lock = 1
WITH r, s
CALL (s) {
  WITH s WHERE $take_place OR $release_place
  SET s.lock = 1
}
WITH r, s, r.version = $expected_version AS version_ok, r.status IN $allowed_from AS status_ok,
     (NOT $take_place OR s.capacity_total IS NULL OR s.capacity_available > 0) AS place_ok
CALL (r, s, version_ok, status_ok, place_ok) {
  WITH r, s WHERE version_ok AND status_ok AND place_ok
  WITH r, s, ($take_place AND s.capacity_total IS NOT NULL) AS takes,
       ($release_place AND coalesce(r.holds_place, false)) AS releases
  SET r.holds_place = CASE WHEN takes THEN true WHEN releases THEN false ELSE r.holds_place END,
      r.status = $to, r.version = r.version + 1, r.updated_at = $now,
      r.decline_reason = CASE WHEN $decline_reason IS NULL THEN r.decline_reason
                              ELSE $decline_reason END,
      r.accepted_at = CASE WHEN $to = 'ACCEPTED' THEN $now ELSE r.accepted_at END,
      r.completed_at = CASE WHEN $to = 'COMPLETED' THEN $now ELSE r.completed_at END
  WITH r, s, takes, releases
  CALL (s, takes, releases) {
    WITH s WHERE takes OR releases
    WITH s, CASE WHEN s.capacity_offered IS NULL OR s.capacity_offered > s.capacity_total
                 THEN s.capacity_total ELSE s.capacity_offered END
            - COUNT { MATCH (x:Referral)-[:TO]->(s) WHERE x.holds_place } AS left
    SET s.capacity_available = CASE WHEN left < 0 THEN 0 ELSE left END,
        s.places_changed_at = timestamp()
  }
  CREATE (e:ReferralEvent)
  SET e = $event
  CREATE (r)-[:HAS_EVENT]->(e)
}
REMOVE r.lock, s.lock
RETURN version_ok, status_ok, place_ok, r.status AS status, r.version AS version

// name: referrals_by_ids
// params: ids
// Referrals with their sender, receiving service and organization (as stored), and client.
UNWIND $ids AS id
MATCH (r:Referral {id: id})-[:TO]->(s:Service&!Staged)
MATCH (r)-[:FOR]->(c:Client)
OPTIONAL MATCH (r)-[:REROUTED_FROM]->(prev:Referral)
RETURN r {.id, .status, .urgency, .needs, .consent, .consent_override_reason, .decline_reason,
          .holds_place, .version, created_at: toString(r.created_at),
          updated_at: toString(r.updated_at), deadline: toString(r.deadline),
          accepted_at: toString(r.accepted_at), completed_at: toString(r.completed_at)} AS referral,
       r.from_org_id AS from_org, s.id AS service_id, r.to_org_id AS to_org,
       prev.id AS rerouted_from,
       c {.id, .age, .age_min, .age_max, .sex, .citizenship, .languages, .region,
          .exploitation_types, .vulnerabilities, .triggers} AS client,
       r.status = 'PENDING' AND r.deadline < datetime() AS overdue

// name: referral_events
// params: id
MATCH (r:Referral {id: $id})-[:HAS_EVENT]->(e:ReferralEvent)
RETURN e {.id, .from_status, .to_status, .actor, .note, .reason, at: toString(e.at)} AS event
ORDER BY e.at, e.id

// name: list_referrals
// params: status, organization, region, overdue, now, scope_org, after_at, after_id, limit
// One page of referrals, newest first (keyset on created_at, id). organization: sent by or to
// it; scope_org: the coordinator's own organization (sent by or to it), null for ADMIN; both
// as stored on the referral at its creation.
MATCH (r:Referral)-[:FOR]->(c:Client)
WHERE ($status IS NULL OR r.status = $status)
  AND ($organization IS NULL OR r.from_org_id = $organization OR r.to_org_id = $organization)
  AND ($scope_org IS NULL OR r.from_org_id = $scope_org OR r.to_org_id = $scope_org)
  AND ($region IS NULL OR c.region = $region)
  AND ($overdue IS NULL OR (r.status = 'PENDING' AND r.deadline < $now) = $overdue)
  AND ($after_at IS NULL OR r.created_at < $after_at
       OR (r.created_at = $after_at AND r.id < $after_id))
WITH r ORDER BY r.created_at DESC, r.id DESC LIMIT $limit
RETURN r.id AS id, toString(r.created_at) AS created_at

// name: count_referrals
// params: status, organization, region, overdue, now, scope_org
MATCH (r:Referral)-[:FOR]->(c:Client)
WHERE ($status IS NULL OR r.status = $status)
  AND ($organization IS NULL OR r.from_org_id = $organization OR r.to_org_id = $organization)
  AND ($scope_org IS NULL OR r.from_org_id = $scope_org OR r.to_org_id = $scope_org)
  AND ($region IS NULL OR c.region = $region)
  AND ($overdue IS NULL OR (r.status = 'PENDING' AND r.deadline < $now) = $overdue)
RETURN count(r) AS n

// name: referral_stats
// params: organization, region, scope_org
// Per receiving organization and client region: counts by status, and the hours from
// creation to acceptance and to completion (the caller takes medians).
MATCH (r:Referral)-[:FOR]->(c:Client)
WHERE ($organization IS NULL OR r.to_org_id = $organization OR r.from_org_id = $organization)
  AND ($scope_org IS NULL OR r.from_org_id = $scope_org OR r.to_org_id = $scope_org)
  AND ($region IS NULL OR c.region = $region)
MATCH (to:Organization&!Staged {id: r.to_org_id})
WITH to, c.region AS region, r
RETURN to.id AS organization_id, to.name AS organization_name, region,
       collect(r.status) AS statuses,
       [x IN collect(CASE WHEN r.accepted_at IS NULL THEN null
                     ELSE duration.inSeconds(r.created_at, r.accepted_at).seconds END)
        WHERE x IS NOT NULL] AS to_accept,
       [x IN collect(CASE WHEN r.completed_at IS NULL THEN null
                     ELSE duration.inSeconds(r.created_at, r.completed_at).seconds END)
        WHERE x IS NOT NULL] AS to_complete
ORDER BY organization_id, region

// name: claim_idempotency_key
// mode: write
// params: key, operation, payload, result_id, at
// In a creating mutation's transaction: the key is taken for `result_id`, or, when a first
// call took it (committed: a concurrent one waits on the uniqueness constraint), what that
// call was and what it created.
MERGE (k:IdempotencyKey {key: $key})
ON CREATE SET k.operation = $operation, k.payload = $payload, k.result_id = $result_id,
              k.at = $at
RETURN k.operation AS operation, k.payload AS payload, k.result_id AS result_id

// name: find_idempotency_key
// params: key
MATCH (k:IdempotencyKey {key: $key})
RETURN k.operation AS operation, k.payload AS payload, k.result_id AS result_id

// name: backfill_referral_owners
// mode: write
// Once, at schema apply: referrals written before their organizations were stored get them
// (the sender, and the receiving service's organization today).
MATCH (r:Referral)
WHERE r.from_org_id IS NULL OR r.to_org_id IS NULL
MATCH (r)-[:FROM]->(f:Organization)
MATCH (r)-[:TO]->(:Service)<-[:PROVIDES]-(t:Organization)
SET r.from_org_id = coalesce(r.from_org_id, f.id), r.to_org_id = coalesce(r.to_org_id, t.id)
RETURN count(r) AS n

// name: backfill_capacity_offered
// mode: write
// Once, at schema apply: a capacity-bound service written before capacity_offered existed
// offers its free places plus those its referrals hold (at most its total).
MATCH (s:Service)
WHERE s.capacity_total IS NOT NULL AND s.capacity_offered IS NULL
WITH s, coalesce(s.capacity_available, 0)
        + COUNT { MATCH (x:Referral)-[:TO]->(s) WHERE x.holds_place } AS offered
SET s.capacity_offered = CASE WHEN offered > s.capacity_total THEN s.capacity_total
                              ELSE offered END
RETURN count(s) AS n
