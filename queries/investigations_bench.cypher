// name: investigation_counts
// params: super_degree
// Nodes, relationships, identifiers and super-nodes of the case graph, for BENCHMARKS.md.
CALL () { MATCH (n:Entity) RETURN count(n) AS nodes }
CALL () { MATCH (:Entity)-[r]->() RETURN count(r) AS rels }
CALL () {
  MATCH (i:Entity)
  WHERE i:Phone OR i:Email OR i:Address OR i:IdDocument OR i:BankAccount
  RETURN count(i) AS identifiers,
         sum(CASE WHEN COUNT { (i)--() } > $super_degree THEN 1 ELSE 0 END) AS super_nodes
}
RETURN nodes, rels, identifiers, super_nodes
