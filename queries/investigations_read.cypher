// name: case_with_parties
// params: case_id
// One case and its parties (role, node, the other cases each is a suspect in, and the other
// cases each is a victim in: a suspect or witness who is a victim elsewhere is shown as such).
// Like every read of the case graph, it leaves out what a load has not finished: Staged nodes
// and relationships carrying `staged` (graph/model/loads.yaml).
MATCH (c:Entity&!Staged {id: $case_id})
WHERE c:Case
RETURN c {.id, .number, .name, .article, .court, .region, .opened_on, .closed_on, .status} AS case,
       [(p)-[r:SUSPECT_IN|VICTIM_IN|WITNESS_IN]->(c) WHERE r.staged IS NULL AND NOT p:Staged | {
          role: replace(type(r), '_IN', ''), birth_date: p.birth_date,
          node: p {.id, .caption, .pseudonymous, label: [l IN labels(p) WHERE NOT l IN ['Entity', 'Suspect']][0],
                   degree: COUNT { (p)--() }},
          cases: [(p)-[s:SUSPECT_IN]->(k) WHERE k <> c AND s.staged IS NULL AND NOT k:Staged |
                  k {.id, .number}],
          victim_cases: [(p)-[v:VICTIM_IN]->(k) WHERE k <> c AND v.staged IS NULL AND NOT k:Staged |
                         k {.id, .number}]}] AS parties

// name: entity_nodes
// params: ids
// Nodes by id, as trace nodes, with the cases each is a suspect in and a victim in.
UNWIND $ids AS id
MATCH (n:Entity&!Staged {id: id})
RETURN n {.id, .caption, .pseudonymous, label: [l IN labels(n) WHERE NOT l IN ['Entity', 'Suspect']][0],
          degree: COUNT { (n)--() }} AS node,
       [(n)-[s:SUSPECT_IN]->(k) WHERE s.staged IS NULL AND NOT k:Staged | k {.id, .number}] AS cases,
       [(n)-[v:VICTIM_IN]->(k) WHERE v.staged IS NULL AND NOT k:Staged | k {.id, .number}] AS victim_cases

// name: entity_by_any_id
// params: id
// An entity by its id, or by the id of an FtM entity merged into an identifier.
CALL () {
  MATCH (n:Entity&!Staged {id: $id})
  RETURN n
  UNION
  MATCH (:FtmRecord&!Staged {id: $id})-[:RECORD_OF]->(n)
  WHERE NOT n:Staged
  RETURN n
}
RETURN n {.id, .caption, .pseudonymous, label: [l IN labels(n) WHERE NOT l IN ['Entity', 'Suspect']][0],
          degree: COUNT { (n)--() }} AS node
LIMIT 1

// name: key_players_network
// params: case_ids, super_degree, rows
// The suspect network of the given cases: the parties each suspect is linked to directly, or
// through one identifier they share (super-nodes not followed, victims left out), one row per
// pair with what joins them (the shared identifier, or the type of the direct relationship).
UNWIND $case_ids AS cid
MATCH (:Entity&!Staged {id: cid})<-[si:SUSPECT_IN]-(s)
WHERE si.staged IS NULL AND NOT s:Staged
WITH DISTINCT s
MATCH p = ANY SHORTEST (s) ((x)-[r:USES|REGISTERED_AT|ASSOCIATE_OF|FAMILY_OF|EMPLOYED_BY|MEMBER_OF_ORG|OWNS|PAID|LINKED_TO|SAME_AS]-(y)
    WHERE (type(r) <> 'SAME_AS' OR r.status = 'CONFIRMED')
      AND r.staged IS NULL AND NOT y:Staged
      AND (x = s OR COUNT { (x)--() } <= $super_degree)){1,2} (o:(Person|Company)&!Staged)
WHERE o <> s AND NOT coalesce(o.pseudonymous, false)
  AND (length(p) = 1 OR NOT (nodes(p)[1]:Person OR nodes(p)[1]:Company))
WITH s, o, p LIMIT $rows
RETURN s.id AS source, o.id AS target, length(p) AS hops,
       CASE WHEN length(p) = 2 THEN nodes(p)[1].caption ELSE type(relationships(p)[0]) END AS via
