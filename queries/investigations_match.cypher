// name: person_facts
// params: id
// What same-person scoring looks at: names, birth date, identifiers used, decisions taken.
MATCH (p:Entity&!Staged {id: $id})
WHERE p:Person
RETURN p {.id, .caption, .name, .aliases, .birth_date, .pseudonymous,
          label: 'Person', degree: COUNT { (p)--() }} AS person,
       [(p)-[u:USES]->(i) WHERE u.staged IS NULL AND NOT i:Staged |
         i {.id, .caption, label: [l IN labels(i) WHERE NOT l IN ['Entity', 'Suspect']][0]}] AS identifiers,
       [(p)-[s:SUSPECT_IN]->(k) WHERE s.staged IS NULL AND NOT k:Staged | k {.id, .number}] AS cases,
       [(p)-[v:VICTIM_IN]->(k) WHERE v.staged IS NULL AND NOT k:Staged | k {.id, .number}] AS victim_cases

// name: match_candidates_by_keys
// params: keys, exclude_id, limit
// People whose folded name keys share a word with `keys` (a whitespace-separated list of
// [a-z0-9] keys, see graph/names.py), best full-text score first; never the person themself,
// a pseudonymous victim, or anyone an investigator rejected as the same person.
CALL db.index.fulltext.queryNodes('person_name_keys', $keys, {limit: $limit})
YIELD node, score
WHERE NOT node:Staged AND node.id <> coalesce($exclude_id, '') AND NOT coalesce(node.pseudonymous, false)
  AND NOT EXISTS { (node)-[s:SAME_AS]-(o:Entity&!Staged) WHERE o.id = $exclude_id AND s.status = 'REJECTED' }
RETURN node {.id, .caption, .name, .aliases, .birth_date, .pseudonymous,
             label: 'Person', degree: COUNT { (node)--() }} AS person,
       [(node)-[u:USES]->(i) WHERE u.staged IS NULL AND NOT i:Staged |
         i {.id, .caption, label: [l IN labels(i) WHERE NOT l IN ['Entity', 'Suspect']][0]}] AS identifiers,
       [(node)-[s:SUSPECT_IN]->(k) WHERE s.staged IS NULL AND NOT k:Staged | k {.id, .number}] AS cases,
       [(node)-[v:VICTIM_IN]->(k) WHERE v.staged IS NULL AND NOT k:Staged | k {.id, .number}] AS victim_cases,
       [(node)-[s:SAME_AS]-(o:Entity&!Staged) WHERE o.id = $exclude_id | s.status][0] AS status

// name: match_candidates_by_identifiers
// params: id, super_degree, limit
// People who use an identifier the person uses (not a super-node), whatever their names.
MATCH (p:Entity&!Staged {id: $id})-[pu:USES]->(i)<-[nu:USES]-(node:Person)
WHERE pu.staged IS NULL AND nu.staged IS NULL AND NOT i:Staged AND NOT node:Staged AND node <> p AND COUNT { (i)--() } <= $super_degree AND NOT coalesce(node.pseudonymous, false)
  AND NOT EXISTS { (node)-[s:SAME_AS]-(p) WHERE s.status = 'REJECTED' }
WITH DISTINCT p, node LIMIT $limit
RETURN node {.id, .caption, .name, .aliases, .birth_date, .pseudonymous,
             label: 'Person', degree: COUNT { (node)--() }} AS person,
       [(node)-[u:USES]->(i) WHERE u.staged IS NULL AND NOT i:Staged |
         i {.id, .caption, label: [l IN labels(i) WHERE NOT l IN ['Entity', 'Suspect']][0]}] AS identifiers,
       [(node)-[s:SUSPECT_IN]->(k) WHERE s.staged IS NULL AND NOT k:Staged | k {.id, .number}] AS cases,
       [(node)-[v:VICTIM_IN]->(k) WHERE v.staged IS NULL AND NOT k:Staged | k {.id, .number}] AS victim_cases,
       [(node)-[s:SAME_AS]-(p) | s.status][0] AS status

// name: record_same_as
// mode: write
// params: a, b, status, score, reasons, by, at, note
// An investigator's judgement on two people (a < b): CONFIRMED links feed the traces, REJECTED
// pairs are never proposed again. A later judgement on the pair replaces the earlier one.
MATCH (x:Entity&!Staged {id: $a})
WHERE x:Person
MATCH (y:Entity&!Staged {id: $b})
WHERE y:Person
MERGE (x)-[s:SAME_AS]->(y)
SET s.status = $status, s.score = $score, s.reasons = $reasons, s.by = $by, s.at = $at,
    s.note = $note
RETURN s {.status, .score, .reasons, .by, .note, at: toString(s.at)} AS link
