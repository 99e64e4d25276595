// name: connection_h1
// params: from_id, to_id, super_degree, limit
// Every shortest path of at most 1 hop(s) between two entities, through identifiers, links,
// confirmed SAME_AS and case membership; at most $limit of them.
// Cypher takes no parameter for a path length, so this search is written once per bound
// (connection_h1 .. connection_h6); they differ only in that bound (a test checks). A node with
// more than $super_degree relationships (a bus station address) is reached, never expanded.
MATCH (a:Entity&!Staged {id: $from_id})
MATCH (b:Entity&!Staged {id: $to_id})
MATCH p = ALL SHORTEST (a) ((x)-[r:USES|REGISTERED_AT|ASSOCIATE_OF|FAMILY_OF|EMPLOYED_BY|MEMBER_OF_ORG|OWNS|PAID|LINKED_TO|SAME_AS|SUSPECT_IN|VICTIM_IN|WITNESS_IN]-(y)
    WHERE (type(r) <> 'SAME_AS' OR r.status = 'CONFIRMED')
      AND r.staged IS NULL AND NOT y:Staged
      AND (x = a OR COUNT { (x)--() } <= $super_degree)){1,1} (b)
WITH p LIMIT $limit
RETURN [n IN nodes(p) | n {.id, .caption, .pseudonymous, label: [l IN labels(n) WHERE NOT l IN ['Entity', 'Suspect']][0],
            degree: COUNT { (n)--() }}] AS nodes,
       [r IN relationships(p) | {type: type(r), source: startNode(r).id, target: endNode(r).id, id: r.id,
         role: r.role, relationship: r.relationship, amount: r.amount,
         currency: r.currency, date: r.date, status: r.status}] AS rels

// name: connection_h2
// params: from_id, to_id, super_degree, limit
// Every shortest path of at most 2 hop(s) between two entities, through identifiers, links,
// confirmed SAME_AS and case membership; at most $limit of them.
MATCH (a:Entity&!Staged {id: $from_id})
MATCH (b:Entity&!Staged {id: $to_id})
MATCH p = ALL SHORTEST (a) ((x)-[r:USES|REGISTERED_AT|ASSOCIATE_OF|FAMILY_OF|EMPLOYED_BY|MEMBER_OF_ORG|OWNS|PAID|LINKED_TO|SAME_AS|SUSPECT_IN|VICTIM_IN|WITNESS_IN]-(y)
    WHERE (type(r) <> 'SAME_AS' OR r.status = 'CONFIRMED')
      AND r.staged IS NULL AND NOT y:Staged
      AND (x = a OR COUNT { (x)--() } <= $super_degree)){1,2} (b)
WITH p LIMIT $limit
RETURN [n IN nodes(p) | n {.id, .caption, .pseudonymous, label: [l IN labels(n) WHERE NOT l IN ['Entity', 'Suspect']][0],
            degree: COUNT { (n)--() }}] AS nodes,
       [r IN relationships(p) | {type: type(r), source: startNode(r).id, target: endNode(r).id, id: r.id,
         role: r.role, relationship: r.relationship, amount: r.amount,
         currency: r.currency, date: r.date, status: r.status}] AS rels

// name: connection_h3
// params: from_id, to_id, super_degree, limit
// Every shortest path of at most 3 hop(s) between two entities, through identifiers, links,
// confirmed SAME_AS and case membership; at most $limit of them.
MATCH (a:Entity&!Staged {id: $from_id})
MATCH (b:Entity&!Staged {id: $to_id})
MATCH p = ALL SHORTEST (a) ((x)-[r:USES|REGISTERED_AT|ASSOCIATE_OF|FAMILY_OF|EMPLOYED_BY|MEMBER_OF_ORG|OWNS|PAID|LINKED_TO|SAME_AS|SUSPECT_IN|VICTIM_IN|WITNESS_IN]-(y)
    WHERE (type(r) <> 'SAME_AS' OR r.status = 'CONFIRMED')
      AND r.staged IS NULL AND NOT y:Staged
      AND (x = a OR COUNT { (x)--() } <= $super_degree)){1,3} (b)
WITH p LIMIT $limit
RETURN [n IN nodes(p) | n {.id, .caption, .pseudonymous, label: [l IN labels(n) WHERE NOT l IN ['Entity', 'Suspect']][0],
            degree: COUNT { (n)--() }}] AS nodes,
       [r IN relationships(p) | {type: type(r), source: startNode(r).id, target: endNode(r).id, id: r.id,
         role: r.role, relationship: r.relationship, amount: r.amount,
         currency: r.currency, date: r.date, status: r.status}] AS rels

// name: connection_h4
// params: from_id, to_id, super_degree, limit
// Every shortest path of at most 4 hop(s) between two entities, through identifiers, links,
// confirmed SAME_AS and case membership; at most $limit of them.
MATCH (a:Entity&!Staged {id: $from_id})
MATCH (b:Entity&!Staged {id: $to_id})
MATCH p = ALL SHORTEST (a) ((x)-[r:USES|REGISTERED_AT|ASSOCIATE_OF|FAMILY_OF|EMPLOYED_BY|MEMBER_OF_ORG|OWNS|PAID|LINKED_TO|SAME_AS|SUSPECT_IN|VICTIM_IN|WITNESS_IN]-(y)
    WHERE (type(r) <> 'SAME_AS' OR r.status = 'CONFIRMED')
      AND r.staged IS NULL AND NOT y:Staged
      AND (x = a OR COUNT { (x)--() } <= $super_degree)){1,4} (b)
WITH p LIMIT $limit
RETURN [n IN nodes(p) | n {.id, .caption, .pseudonymous, label: [l IN labels(n) WHERE NOT l IN ['Entity', 'Suspect']][0],
            degree: COUNT { (n)--() }}] AS nodes,
       [r IN relationships(p) | {type: type(r), source: startNode(r).id, target: endNode(r).id, id: r.id,
         role: r.role, relationship: r.relationship, amount: r.amount,
         currency: r.currency, date: r.date, status: r.status}] AS rels

// name: connection_h5
// params: from_id, to_id, super_degree, limit
// Every shortest path of at most 5 hop(s) between two entities, through identifiers, links,
// confirmed SAME_AS and case membership; at most $limit of them.
MATCH (a:Entity&!Staged {id: $from_id})
MATCH (b:Entity&!Staged {id: $to_id})
MATCH p = ALL SHORTEST (a) ((x)-[r:USES|REGISTERED_AT|ASSOCIATE_OF|FAMILY_OF|EMPLOYED_BY|MEMBER_OF_ORG|OWNS|PAID|LINKED_TO|SAME_AS|SUSPECT_IN|VICTIM_IN|WITNESS_IN]-(y)
    WHERE (type(r) <> 'SAME_AS' OR r.status = 'CONFIRMED')
      AND r.staged IS NULL AND NOT y:Staged
      AND (x = a OR COUNT { (x)--() } <= $super_degree)){1,5} (b)
WITH p LIMIT $limit
RETURN [n IN nodes(p) | n {.id, .caption, .pseudonymous, label: [l IN labels(n) WHERE NOT l IN ['Entity', 'Suspect']][0],
            degree: COUNT { (n)--() }}] AS nodes,
       [r IN relationships(p) | {type: type(r), source: startNode(r).id, target: endNode(r).id, id: r.id,
         role: r.role, relationship: r.relationship, amount: r.amount,
         currency: r.currency, date: r.date, status: r.status}] AS rels

// name: connection_h6
// params: from_id, to_id, super_degree, limit
// Every shortest path of at most 6 hop(s) between two entities, through identifiers, links,
// confirmed SAME_AS and case membership; at most $limit of them.
MATCH (a:Entity&!Staged {id: $from_id})
MATCH (b:Entity&!Staged {id: $to_id})
MATCH p = ALL SHORTEST (a) ((x)-[r:USES|REGISTERED_AT|ASSOCIATE_OF|FAMILY_OF|EMPLOYED_BY|MEMBER_OF_ORG|OWNS|PAID|LINKED_TO|SAME_AS|SUSPECT_IN|VICTIM_IN|WITNESS_IN]-(y)
    WHERE (type(r) <> 'SAME_AS' OR r.status = 'CONFIRMED')
      AND r.staged IS NULL AND NOT y:Staged
      AND (x = a OR COUNT { (x)--() } <= $super_degree)){1,6} (b)
WITH p LIMIT $limit
RETURN [n IN nodes(p) | n {.id, .caption, .pseudonymous, label: [l IN labels(n) WHERE NOT l IN ['Entity', 'Suspect']][0],
            degree: COUNT { (n)--() }}] AS nodes,
       [r IN relationships(p) | {type: type(r), source: startNode(r).id, target: endNode(r).id, id: r.id,
         role: r.role, relationship: r.relationship, amount: r.amount,
         currency: r.currency, date: r.date, status: r.status}] AS rels
