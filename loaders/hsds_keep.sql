-- Statements of loaders/hsds_keep.py's private temporary SQLite file (rows waiting for the
-- organization or service that keeps them). Not Cypher: nothing here reaches Neo4j.

-- name: create_table
CREATE TABLE kept (kind TEXT, oid TEXT, tbl INT, rid TEXT, body BLOB)

-- name: insert
INSERT INTO kept VALUES (?, ?, ?, ?, ?)

-- name: index_owner
CREATE INDEX IF NOT EXISTS kept_owner ON kept (kind, oid, tbl, rid)

-- name: owned
SELECT tbl, rid, body FROM kept WHERE kind = ? AND oid = ? ORDER BY tbl, rid

-- name: all_keys
SELECT kind, oid, tbl, rid FROM kept
