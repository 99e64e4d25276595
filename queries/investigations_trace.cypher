// name: linked_suspects_h1
// params: case_id, super_degree, rows
// Suspects of other cases within 1 hop(s) of this case's suspects, through identifiers, direct
// links and CONFIRMED SAME_AS (never through a case), one shortest path per pair, nearest first;
// and the super-nodes reached. Neo4j searches; only the paths found come back, as one list.
// Cypher takes no parameter for a path length: this search is written once per bound
// (linked_suspects_h1 .. _h4); they differ only in that bound (a test checks). A node with more
// than $super_degree relationships (a bus station address) is reached, never expanded: such
// nodes come back as SUPER rows, for the caller to report: only their end node (most rows reach
// a super-node; their paths, edges and cases are never used). `own` are this case's suspects who
// are suspects nowhere else: with them left out, the end of a path is a suspect of another case
// when it carries the Suspect role (refresh_suspect_labels), a label read with the node itself;
// reading each reached node's relationships for a SUSPECT_IN doubled the search's time.
MATCH (c:Entity&!Staged {id: $case_id})
WITH c, [(c)<-[cq:SUSPECT_IN]-(q) WHERE cq.staged IS NULL AND NOT q:Staged
           AND NOT EXISTS { (q)-[qk:SUSPECT_IN]->(k) WHERE k <> c AND qk.staged IS NULL AND NOT k:Staged }
         | q] AS own
MATCH (c)<-[cs:SUSPECT_IN]-(s)
WHERE cs.staged IS NULL AND NOT s:Staged
MATCH p = ANY SHORTEST (s) ((x)-[r:USES|REGISTERED_AT|ASSOCIATE_OF|FAMILY_OF|EMPLOYED_BY|MEMBER_OF_ORG|OWNS|PAID|LINKED_TO|SAME_AS]-(y)
    WHERE (type(r) <> 'SAME_AS' OR r.status = 'CONFIRMED')
      AND r.staged IS NULL AND NOT y:Staged
      AND (x = s OR COUNT { (x)--() } <= $super_degree)){1,1} (o)
WHERE o <> s AND NOT o IN own
  AND (o:Suspect OR COUNT { (o)--() } > $super_degree)
  AND NOT coalesce(o.pseudonymous, false)
WITH c, s, o, p ORDER BY length(p), o.id LIMIT $rows
RETURN collect(CASE WHEN COUNT { (o)--() } > $super_degree
       THEN {start: s.id, end: o.id, kind: 'SUPER',
             nodes: [o {.id, .caption, .pseudonymous, label: [l IN labels(o) WHERE NOT l IN ['Entity', 'Suspect']][0],
                        degree: COUNT { (o)--() }}]}
       ELSE {start: s.id, end: o.id, kind: 'SUSPECT',
       nodes: [n IN nodes(p) | n {.id, .caption, .pseudonymous, label: [l IN labels(n) WHERE NOT l IN ['Entity', 'Suspect']][0],
            degree: COUNT { (n)--() }}],
       rels: [r IN relationships(p) | {type: type(r), source: startNode(r).id, target: endNode(r).id, id: r.id,
         role: r.role, relationship: r.relationship, amount: r.amount,
         currency: r.currency, date: r.date, status: r.status}],
       cases: [(o)-[ok:SUSPECT_IN]->(k) WHERE k <> c AND ok.staged IS NULL AND NOT k:Staged |
               k {.id, .number}],
       victim_cases: [(o)-[ov:VICTIM_IN]->(k) WHERE ov.staged IS NULL AND NOT k:Staged |
                      k {.id, .number}]} END) AS paths

// name: linked_suspects_h2
// params: case_id, super_degree, rows
// Suspects of other cases within 2 hop(s) of this case's suspects, through identifiers, direct
// links and CONFIRMED SAME_AS (never through a case), one shortest path per pair, nearest first;
// and the super-nodes reached. Neo4j searches; only the paths found come back, as one list.
MATCH (c:Entity&!Staged {id: $case_id})
WITH c, [(c)<-[cq:SUSPECT_IN]-(q) WHERE cq.staged IS NULL AND NOT q:Staged
           AND NOT EXISTS { (q)-[qk:SUSPECT_IN]->(k) WHERE k <> c AND qk.staged IS NULL AND NOT k:Staged }
         | q] AS own
MATCH (c)<-[cs:SUSPECT_IN]-(s)
WHERE cs.staged IS NULL AND NOT s:Staged
MATCH p = ANY SHORTEST (s) ((x)-[r:USES|REGISTERED_AT|ASSOCIATE_OF|FAMILY_OF|EMPLOYED_BY|MEMBER_OF_ORG|OWNS|PAID|LINKED_TO|SAME_AS]-(y)
    WHERE (type(r) <> 'SAME_AS' OR r.status = 'CONFIRMED')
      AND r.staged IS NULL AND NOT y:Staged
      AND (x = s OR COUNT { (x)--() } <= $super_degree)){1,2} (o)
WHERE o <> s AND NOT o IN own
  AND (o:Suspect OR COUNT { (o)--() } > $super_degree)
  AND NOT coalesce(o.pseudonymous, false)
WITH c, s, o, p ORDER BY length(p), o.id LIMIT $rows
RETURN collect(CASE WHEN COUNT { (o)--() } > $super_degree
       THEN {start: s.id, end: o.id, kind: 'SUPER',
             nodes: [o {.id, .caption, .pseudonymous, label: [l IN labels(o) WHERE NOT l IN ['Entity', 'Suspect']][0],
                        degree: COUNT { (o)--() }}]}
       ELSE {start: s.id, end: o.id, kind: 'SUSPECT',
       nodes: [n IN nodes(p) | n {.id, .caption, .pseudonymous, label: [l IN labels(n) WHERE NOT l IN ['Entity', 'Suspect']][0],
            degree: COUNT { (n)--() }}],
       rels: [r IN relationships(p) | {type: type(r), source: startNode(r).id, target: endNode(r).id, id: r.id,
         role: r.role, relationship: r.relationship, amount: r.amount,
         currency: r.currency, date: r.date, status: r.status}],
       cases: [(o)-[ok:SUSPECT_IN]->(k) WHERE k <> c AND ok.staged IS NULL AND NOT k:Staged |
               k {.id, .number}],
       victim_cases: [(o)-[ov:VICTIM_IN]->(k) WHERE ov.staged IS NULL AND NOT k:Staged |
                      k {.id, .number}]} END) AS paths

// name: linked_suspects_h3
// params: case_id, super_degree, rows
// Suspects of other cases within 3 hop(s) of this case's suspects, through identifiers, direct
// links and CONFIRMED SAME_AS (never through a case), one shortest path per pair, nearest first;
// and the super-nodes reached. Neo4j searches; only the paths found come back, as one list.
MATCH (c:Entity&!Staged {id: $case_id})
WITH c, [(c)<-[cq:SUSPECT_IN]-(q) WHERE cq.staged IS NULL AND NOT q:Staged
           AND NOT EXISTS { (q)-[qk:SUSPECT_IN]->(k) WHERE k <> c AND qk.staged IS NULL AND NOT k:Staged }
         | q] AS own
MATCH (c)<-[cs:SUSPECT_IN]-(s)
WHERE cs.staged IS NULL AND NOT s:Staged
MATCH p = ANY SHORTEST (s) ((x)-[r:USES|REGISTERED_AT|ASSOCIATE_OF|FAMILY_OF|EMPLOYED_BY|MEMBER_OF_ORG|OWNS|PAID|LINKED_TO|SAME_AS]-(y)
    WHERE (type(r) <> 'SAME_AS' OR r.status = 'CONFIRMED')
      AND r.staged IS NULL AND NOT y:Staged
      AND (x = s OR COUNT { (x)--() } <= $super_degree)){1,3} (o)
WHERE o <> s AND NOT o IN own
  AND (o:Suspect OR COUNT { (o)--() } > $super_degree)
  AND NOT coalesce(o.pseudonymous, false)
WITH c, s, o, p ORDER BY length(p), o.id LIMIT $rows
RETURN collect(CASE WHEN COUNT { (o)--() } > $super_degree
       THEN {start: s.id, end: o.id, kind: 'SUPER',
             nodes: [o {.id, .caption, .pseudonymous, label: [l IN labels(o) WHERE NOT l IN ['Entity', 'Suspect']][0],
                        degree: COUNT { (o)--() }}]}
       ELSE {start: s.id, end: o.id, kind: 'SUSPECT',
       nodes: [n IN nodes(p) | n {.id, .caption, .pseudonymous, label: [l IN labels(n) WHERE NOT l IN ['Entity', 'Suspect']][0],
            degree: COUNT { (n)--() }}],
       rels: [r IN relationships(p) | {type: type(r), source: startNode(r).id, target: endNode(r).id, id: r.id,
         role: r.role, relationship: r.relationship, amount: r.amount,
         currency: r.currency, date: r.date, status: r.status}],
       cases: [(o)-[ok:SUSPECT_IN]->(k) WHERE k <> c AND ok.staged IS NULL AND NOT k:Staged |
               k {.id, .number}],
       victim_cases: [(o)-[ov:VICTIM_IN]->(k) WHERE ov.staged IS NULL AND NOT k:Staged |
                      k {.id, .number}]} END) AS paths

// name: linked_suspects_h4
// params: case_id, super_degree, rows
// Suspects of other cases within 4 hop(s) of this case's suspects, through identifiers, direct
// links and CONFIRMED SAME_AS (never through a case), one shortest path per pair, nearest first;
// and the super-nodes reached. Neo4j searches; only the paths found come back, as one list.
MATCH (c:Entity&!Staged {id: $case_id})
WITH c, [(c)<-[cq:SUSPECT_IN]-(q) WHERE cq.staged IS NULL AND NOT q:Staged
           AND NOT EXISTS { (q)-[qk:SUSPECT_IN]->(k) WHERE k <> c AND qk.staged IS NULL AND NOT k:Staged }
         | q] AS own
MATCH (c)<-[cs:SUSPECT_IN]-(s)
WHERE cs.staged IS NULL AND NOT s:Staged
MATCH p = ANY SHORTEST (s) ((x)-[r:USES|REGISTERED_AT|ASSOCIATE_OF|FAMILY_OF|EMPLOYED_BY|MEMBER_OF_ORG|OWNS|PAID|LINKED_TO|SAME_AS]-(y)
    WHERE (type(r) <> 'SAME_AS' OR r.status = 'CONFIRMED')
      AND r.staged IS NULL AND NOT y:Staged
      AND (x = s OR COUNT { (x)--() } <= $super_degree)){1,4} (o)
WHERE o <> s AND NOT o IN own
  AND (o:Suspect OR COUNT { (o)--() } > $super_degree)
  AND NOT coalesce(o.pseudonymous, false)
WITH c, s, o, p ORDER BY length(p), o.id LIMIT $rows
RETURN collect(CASE WHEN COUNT { (o)--() } > $super_degree
       THEN {start: s.id, end: o.id, kind: 'SUPER',
             nodes: [o {.id, .caption, .pseudonymous, label: [l IN labels(o) WHERE NOT l IN ['Entity', 'Suspect']][0],
                        degree: COUNT { (o)--() }}]}
       ELSE {start: s.id, end: o.id, kind: 'SUSPECT',
       nodes: [n IN nodes(p) | n {.id, .caption, .pseudonymous, label: [l IN labels(n) WHERE NOT l IN ['Entity', 'Suspect']][0],
            degree: COUNT { (n)--() }}],
       rels: [r IN relationships(p) | {type: type(r), source: startNode(r).id, target: endNode(r).id, id: r.id,
         role: r.role, relationship: r.relationship, amount: r.amount,
         currency: r.currency, date: r.date, status: r.status}],
       cases: [(o)-[ok:SUSPECT_IN]->(k) WHERE k <> c AND ok.staged IS NULL AND NOT k:Staged |
               k {.id, .number}],
       victim_cases: [(o)-[ov:VICTIM_IN]->(k) WHERE ov.staged IS NULL AND NOT k:Staged |
                      k {.id, .number}]} END) AS paths

// name: explore_expand
// params: ids, seen, limit, details
// One breadth-first step (graph/tracing.py): the nodes not yet `seen` next to `ids` through every relationship
// of the case graph (REJECTED SAME_AS left out); at most $limit rows, so that a step never grows
// past the caller's budget. The caller expands only nodes with at most SUPER_DEGREE
// relationships. All rows come back as one list of [from, node, edge] (the driver spends more
// on each record than Neo4j on each row): node [id, caption, pseudonymous, label, degree], edge
// [type, source, target, id] and, when $details, [role, amount, currency, date, status] after.
UNWIND $ids AS id
MATCH (x:Entity&!Staged {id: id})-[r:USES|REGISTERED_AT|ASSOCIATE_OF|FAMILY_OF|EMPLOYED_BY|MEMBER_OF_ORG|OWNS|PAID|LINKED_TO|SAME_AS|SUSPECT_IN|VICTIM_IN|WITNESS_IN]-(y)
WHERE (r.status IS NULL OR r.status <> 'REJECTED') AND r.staged IS NULL AND NOT y:Staged
  AND NOT y.id IN $seen
WITH x, r, y LIMIT $limit
RETURN collect([x.id, [y.id, y.caption, y.pseudonymous, [l IN labels(y) WHERE NOT l IN ['Entity', 'Suspect']][0], COUNT { (y)--() }],
                CASE WHEN startNode(r) = x THEN [type(r), x.id, y.id, r.id] ELSE [type(r), y.id, x.id, r.id] END
                + CASE WHEN $details THEN [coalesce(r.role, r.relationship), r.amount, r.currency, r.date, r.status]
                       ELSE [] END]) AS steps

// name: edges_among
// params: ids, expand, details
// Every relationship between two of the nodes `ids`, found from the nodes `expand` (those that
// are not super-nodes: a bus station's thousands of users are not scanned). REJECTED SAME_AS
// left out. Each relationship once. The far end is checked by node, not by reading its id, and
// the edges come back as one list (see explore_expand for the edge layout).
MATCH (a:Entity&!Staged)
WHERE a.id IN $expand
WITH collect(a) AS expanded
MATCH (b:Entity&!Staged)
WHERE b.id IN $ids
WITH expanded, collect(b) AS found
UNWIND expanded AS a
MATCH (a)-[r:USES|REGISTERED_AT|ASSOCIATE_OF|FAMILY_OF|EMPLOYED_BY|MEMBER_OF_ORG|OWNS|PAID|LINKED_TO|SAME_AS|SUSPECT_IN|VICTIM_IN|WITNESS_IN]-(b)
WHERE b IN found AND (r.status IS NULL OR r.status <> 'REJECTED') AND r.staged IS NULL
  AND (NOT b IN expanded OR startNode(r) = a)
RETURN collect([type(r), startNode(r).id, endNode(r).id, r.id]
               + CASE WHEN $details THEN [coalesce(r.role, r.relationship), r.amount, r.currency, r.date, r.status]
                      ELSE [] END) AS edges
