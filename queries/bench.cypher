// name: server_components
// Neo4j name, versions and edition, for BENCHMARKS.md
CALL dbms.components() YIELD name, versions, edition
RETURN name, versions, edition

// name: dataset_counts
// Node and relationship counts after a benchmark has loaded its data set, for BENCHMARKS.md
// (and to check that the load wrote what was generated).
CALL () { MATCH (o:Organization&!Staged) RETURN count(o) AS organizations }
CALL () { MATCH (s:Service&!Staged) RETURN count(s) AS services }
CALL () { MATCH (g:Region) RETURN count(g) AS regions }
CALL () { MATCH (x:Responsibility) RETURN count(x) AS responsibilities }
CALL () { MATCH ()-[r:HOLDS]->() RETURN count(r) AS holds }
CALL () { MATCH ()-[r:MEETS]->() RETURN count(r) AS meets }
CALL () { MATCH ()-[r:SERVES]->() RETURN count(r) AS serves }
RETURN organizations, services, regions, responsibilities, holds, meets, serves
