// name: constraint_organization_id
// mode: schema
CREATE CONSTRAINT organization_id IF NOT EXISTS FOR (n:Organization) REQUIRE n.id IS UNIQUE

// name: constraint_service_id
// mode: schema
CREATE CONSTRAINT service_id IF NOT EXISTS FOR (n:Service) REQUIRE n.id IS UNIQUE

// name: constraint_region_code
// mode: schema
CREATE CONSTRAINT region_code IF NOT EXISTS FOR (n:Region) REQUIRE n.code IS UNIQUE

// name: constraint_need_code
// mode: schema
CREATE CONSTRAINT need_code IF NOT EXISTS FOR (n:Need) REQUIRE n.code IS UNIQUE

// name: constraint_legal_provision_id
// mode: schema
CREATE CONSTRAINT legal_provision_id IF NOT EXISTS FOR (n:LegalProvision) REQUIRE n.id IS UNIQUE

// name: constraint_responsibility_code
// mode: schema
CREATE CONSTRAINT responsibility_code IF NOT EXISTS FOR (n:Responsibility) REQUIRE n.code IS UNIQUE

// name: constraint_api_token_id
// mode: schema
CREATE CONSTRAINT api_token_id IF NOT EXISTS FOR (n:ApiToken) REQUIRE n.id IS UNIQUE

// name: constraint_audit_event_id
// mode: schema
CREATE CONSTRAINT audit_event_id IF NOT EXISTS FOR (n:AuditEvent) REQUIRE n.id IS UNIQUE

// name: constraint_hsds_record_key
// mode: schema
CREATE CONSTRAINT hsds_record_key IF NOT EXISTS FOR (n:HsdsRecord) REQUIRE n.key IS UNIQUE

// name: index_hsds_record_table
// mode: schema
// Exports read the kept HSDS rows table by table.
CREATE INDEX hsds_record_table IF NOT EXISTS FOR (n:HsdsRecord) ON (n.table, n.record_id)

// name: index_organization_bin
// mode: schema
CREATE INDEX organization_bin IF NOT EXISTS FOR (n:Organization) ON (n.bin)

// name: index_api_token_hash
// mode: schema
CREATE INDEX api_token_hash IF NOT EXISTS FOR (n:ApiToken) ON (n.secret_hash)

// name: index_organization_name
// mode: schema
// Keyset pagination orders organizations by (name, id).
CREATE INDEX organization_name IF NOT EXISTS FOR (n:Organization) ON (n.name, n.id)

// name: index_organization_kind
// mode: schema
CREATE INDEX organization_kind IF NOT EXISTS FOR (n:Organization) ON (n.kind)

// name: index_service_name
// mode: schema
CREATE INDEX service_name IF NOT EXISTS FOR (n:Service) ON (n.name, n.id)

// name: drop_index_service_status
// mode: schema
// A status index made the planner seek every ACTIVE service instead of walking from the
// region; status is filtered after the walk instead.
DROP INDEX service_status IF EXISTS

// name: text_index_organization_search
// mode: schema
// Substring search over lower-cased names, alternate names and description.
CREATE TEXT INDEX organization_search IF NOT EXISTS FOR (n:Organization) ON (n.search_text)

// name: text_index_service_search
// mode: schema
CREATE TEXT INDEX service_search IF NOT EXISTS FOR (n:Service) ON (n.search_text)

// name: index_audit_event_at
// mode: schema
CREATE INDEX audit_event_at IF NOT EXISTS FOR (n:AuditEvent) ON (n.at)

// name: await_indexes
// Waits until every index is online (after the schema statements above).
CALL db.awaitIndexes(300)
