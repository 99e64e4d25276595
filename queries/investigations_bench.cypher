// name: investigation_counts
// params: super_degree
// Nodes, relationships, identifiers and super-nodes of the case graph, for BENCHMARKS.md.
CALL () { MATCH (n:Entity&!Staged) RETURN count(n) AS nodes }
CALL () { MATCH (:Entity&!Staged)-[r]->() RETURN count(r) AS rels }
CALL () {
  MATCH (i:Entity&!Staged)
  WHERE i:Phone OR i:Email OR i:Address OR i:IdDocument OR i:BankAccount
  RETURN count(i) AS identifiers,
         sum(CASE WHEN COUNT { (i)--() } > $super_degree THEN 1 ELSE 0 END) AS super_nodes
}
RETURN nodes, rels, identifiers, super_nodes

// name: bench_floor_nodes
// params: limit
// Element ids of up to `limit` case-graph nodes: the ends of the write-floor relationships
// (bench/write_floor.py).
MATCH (n:Entity&!Staged)
RETURN elementId(n) AS eid
LIMIT $limit

// name: bench_floor_create
// mode: write
// params: rows
// Neo4j's floor for a relationship write, to set the case import's write against: a bare
// relationship ({a, b} element ids) with no property and no index to keep. The type is one the
// model has; the bench's database is thrown away after the run.
UNWIND $rows AS r
MATCH (a) WHERE elementId(a) = r.a
MATCH (b) WHERE elementId(b) = r.b
CREATE (a)-[:LINKED_TO]->(b)
RETURN count(*) AS n
