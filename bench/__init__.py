"""Benchmarks: `make bench` (python -m bench) runs them against Neo4j instances of their own and
writes BENCHMARKS.md, one `## ` section per benchmark.

- generate: a deterministic synthetic directory on top of the built-in Kazakhstan rows
- harness: a throw-away local Neo4j, the real API in its own process, a concurrent driver loop
- report: machine and versions, and the section writer for BENCHMARKS.md
- whohandles: whoHandles over GraphQL/HTTP against the same two Cypher queries run raw
"""
