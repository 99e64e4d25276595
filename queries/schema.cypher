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

// name: constraint_directory_load_id
// mode: schema
CREATE CONSTRAINT directory_load_id IF NOT EXISTS FOR (n:DirectoryLoad) REQUIRE n.id IS UNIQUE

// name: constraint_load_lease_kind
// mode: schema
// One lease per kind of load: two loads MERGE-ing it at once get the same node (graph/load_lease.py).
CREATE CONSTRAINT load_lease_kind IF NOT EXISTS FOR (n:LoadLease) REQUIRE n.kind IS UNIQUE

// name: constraint_directory_version_id
// mode: schema
CREATE CONSTRAINT directory_version_id IF NOT EXISTS FOR (n:DirectoryVersion) REQUIRE n.id IS UNIQUE

// name: index_service_places_changed
// mode: schema
// The routing cache asks which services' free places changed lately.
CREATE INDEX service_places_changed IF NOT EXISTS FOR (n:Service) ON (n.places_changed_at)

// name: index_directory_load_status
// mode: schema
CREATE INDEX directory_load_status IF NOT EXISTS FOR (n:DirectoryLoad) ON (n.status)

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

// name: drop_text_index_organization_search
// mode: schema
// No TEXT index on search_text: the directory lists filter text together with kind, region,
// need and keyset pagination, so the planner walks the label and filters (PROFILE of
// list_/count_organizations and list_/count_services showed no index seek), while keeping the
// two Lucene indexes up to date cost about a third of Neo4j's CPU on a 100,000-service load.
DROP INDEX organization_search IF EXISTS

// name: drop_text_index_service_search
// mode: schema
DROP INDEX service_search IF EXISTS

// name: index_audit_event_at
// mode: schema
CREATE INDEX audit_event_at IF NOT EXISTS FOR (n:AuditEvent) ON (n.at)

// name: await_indexes
// Waits until every index is online (after the schema statements above).
CALL db.awaitIndexes(300)

// name: constraint_entity_id
// mode: schema
// Investigations: every case, person, company and identifier node is an Entity with a unique id.
CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE

// name: constraint_ftm_record_id
// mode: schema
CREATE CONSTRAINT ftm_record_id IF NOT EXISTS FOR (n:FtmRecord) REQUIRE n.id IS UNIQUE

// name: fulltext_person_name_keys
// mode: schema
// Same-person candidates are looked up by their folded name keys (graph/names.py), whole words.
// Eventually consistent: Lucene is updated after each commit by a background thread, beside the
// writing one, instead of inside the writing transaction; a case load waits for it before it
// returns (ftm_await_name_index), so a loaded person is found at once.
CREATE FULLTEXT INDEX person_name_keys IF NOT EXISTS FOR (n:Person) ON EACH [n.name_text]
OPTIONS {indexConfig: {`fulltext.analyzer`: 'whitespace', `fulltext.eventually_consistent`: true}}

// name: constraint_case_id
// mode: schema
CREATE CONSTRAINT case_id IF NOT EXISTS FOR (n:Case) REQUIRE n.id IS UNIQUE

// name: constraint_person_id
// mode: schema
CREATE CONSTRAINT person_id IF NOT EXISTS FOR (n:Person) REQUIRE n.id IS UNIQUE

// name: constraint_company_id
// mode: schema
CREATE CONSTRAINT company_id IF NOT EXISTS FOR (n:Company) REQUIRE n.id IS UNIQUE

// name: constraint_phone_id
// mode: schema
CREATE CONSTRAINT phone_id IF NOT EXISTS FOR (n:Phone) REQUIRE n.id IS UNIQUE

// name: constraint_email_id
// mode: schema
CREATE CONSTRAINT email_id IF NOT EXISTS FOR (n:Email) REQUIRE n.id IS UNIQUE

// name: constraint_address_id
// mode: schema
CREATE CONSTRAINT address_id IF NOT EXISTS FOR (n:Address) REQUIRE n.id IS UNIQUE

// name: constraint_bank_account_id
// mode: schema
CREATE CONSTRAINT bank_account_id IF NOT EXISTS FOR (n:BankAccount) REQUIRE n.id IS UNIQUE

// name: constraint_vehicle_id
// mode: schema
CREATE CONSTRAINT vehicle_id IF NOT EXISTS FOR (n:Vehicle) REQUIRE n.id IS UNIQUE

// name: constraint_id_document_id
// mode: schema
CREATE CONSTRAINT id_document_id IF NOT EXISTS FOR (n:IdDocument) REQUIRE n.id IS UNIQUE

// name: constraint_online_account_id
// mode: schema
CREATE CONSTRAINT online_account_id IF NOT EXISTS FOR (n:OnlineAccount) REQUIRE n.id IS UNIQUE

// name: index_suspect_in_id
// mode: schema
// An FtM edge entity is found again by its id when a file is re-loaded.
CREATE INDEX suspect_in_id IF NOT EXISTS FOR ()-[r:SUSPECT_IN]-() ON (r.id)

// name: index_victim_in_id
// mode: schema
// An FtM edge entity is found again by its id when a file is re-loaded.
CREATE INDEX victim_in_id IF NOT EXISTS FOR ()-[r:VICTIM_IN]-() ON (r.id)

// name: index_witness_in_id
// mode: schema
// An FtM edge entity is found again by its id when a file is re-loaded.
CREATE INDEX witness_in_id IF NOT EXISTS FOR ()-[r:WITNESS_IN]-() ON (r.id)

// name: index_associate_of_id
// mode: schema
// An FtM edge entity is found again by its id when a file is re-loaded.
CREATE INDEX associate_of_id IF NOT EXISTS FOR ()-[r:ASSOCIATE_OF]-() ON (r.id)

// name: index_family_of_id
// mode: schema
// An FtM edge entity is found again by its id when a file is re-loaded.
CREATE INDEX family_of_id IF NOT EXISTS FOR ()-[r:FAMILY_OF]-() ON (r.id)

// name: index_employed_by_id
// mode: schema
// An FtM edge entity is found again by its id when a file is re-loaded.
CREATE INDEX employed_by_id IF NOT EXISTS FOR ()-[r:EMPLOYED_BY]-() ON (r.id)

// name: index_member_of_org_id
// mode: schema
// An FtM edge entity is found again by its id when a file is re-loaded.
CREATE INDEX member_of_org_id IF NOT EXISTS FOR ()-[r:MEMBER_OF_ORG]-() ON (r.id)

// name: index_owns_id
// mode: schema
// An FtM edge entity is found again by its id when a file is re-loaded.
CREATE INDEX owns_id IF NOT EXISTS FOR ()-[r:OWNS]-() ON (r.id)

// name: index_paid_id
// mode: schema
// An FtM edge entity is found again by its id when a file is re-loaded.
CREATE INDEX paid_id IF NOT EXISTS FOR ()-[r:PAID]-() ON (r.id)

// name: index_linked_to_id
// mode: schema
// An FtM edge entity is found again by its id when a file is re-loaded.
CREATE INDEX linked_to_id IF NOT EXISTS FOR ()-[r:LINKED_TO]-() ON (r.id)

// name: constraint_client_id
// mode: schema
CREATE CONSTRAINT client_id IF NOT EXISTS FOR (n:Client) REQUIRE n.id IS UNIQUE

// name: constraint_referral_id
// mode: schema
CREATE CONSTRAINT referral_id IF NOT EXISTS FOR (n:Referral) REQUIRE n.id IS UNIQUE

// name: constraint_referral_event_id
// mode: schema
CREATE CONSTRAINT referral_event_id IF NOT EXISTS FOR (n:ReferralEvent) REQUIRE n.id IS UNIQUE

// name: index_referral_created
// mode: schema
// Referral lists are newest first (keyset on created_at, id).
CREATE INDEX referral_created IF NOT EXISTS FOR (n:Referral) ON (n.created_at, n.id)

// name: index_entity_created_by_load
// mode: schema
// A failed or interrupted case load finds the nodes it created (undo_case_load_nodes).
CREATE INDEX entity_created_by_load IF NOT EXISTS FOR (n:Entity) ON (n.created_by_load)

// name: index_ftm_record_created_by_load
// mode: schema
CREATE INDEX ftm_record_created_by_load IF NOT EXISTS FOR (n:FtmRecord) ON (n.created_by_load)

// name: index_suspect_in_staged
// mode: schema
// A case load's relationships between two nodes older than it carry `staged` until its closing
// transaction finds them here (unstage_case_load_relationships); the index holds only those.
CREATE INDEX suspect_in_staged IF NOT EXISTS FOR ()-[r:SUSPECT_IN]-() ON (r.staged)

// name: index_victim_in_staged
// mode: schema
CREATE INDEX victim_in_staged IF NOT EXISTS FOR ()-[r:VICTIM_IN]-() ON (r.staged)

// name: index_witness_in_staged
// mode: schema
CREATE INDEX witness_in_staged IF NOT EXISTS FOR ()-[r:WITNESS_IN]-() ON (r.staged)

// name: index_associate_of_staged
// mode: schema
CREATE INDEX associate_of_staged IF NOT EXISTS FOR ()-[r:ASSOCIATE_OF]-() ON (r.staged)

// name: index_family_of_staged
// mode: schema
CREATE INDEX family_of_staged IF NOT EXISTS FOR ()-[r:FAMILY_OF]-() ON (r.staged)

// name: index_employed_by_staged
// mode: schema
CREATE INDEX employed_by_staged IF NOT EXISTS FOR ()-[r:EMPLOYED_BY]-() ON (r.staged)

// name: index_member_of_org_staged
// mode: schema
CREATE INDEX member_of_org_staged IF NOT EXISTS FOR ()-[r:MEMBER_OF_ORG]-() ON (r.staged)

// name: index_owns_staged
// mode: schema
CREATE INDEX owns_staged IF NOT EXISTS FOR ()-[r:OWNS]-() ON (r.staged)

// name: index_paid_staged
// mode: schema
CREATE INDEX paid_staged IF NOT EXISTS FOR ()-[r:PAID]-() ON (r.staged)

// name: index_linked_to_staged
// mode: schema
CREATE INDEX linked_to_staged IF NOT EXISTS FOR ()-[r:LINKED_TO]-() ON (r.staged)

// name: index_uses_staged
// mode: schema
CREATE INDEX uses_staged IF NOT EXISTS FOR ()-[r:USES]-() ON (r.staged)

// name: index_registered_at_staged
// mode: schema
CREATE INDEX registered_at_staged IF NOT EXISTS FOR ()-[r:REGISTERED_AT]-() ON (r.staged)

// name: constraint_idempotency_key
// mode: schema
// A retried creation finds its first result; two concurrent retries create one.
CREATE CONSTRAINT idempotency_key IF NOT EXISTS FOR (n:IdempotencyKey) REQUIRE n.key IS UNIQUE

// name: index_referral_from_org
// mode: schema
// A coordinator's referrals: sent by its organization (stored on the referral)...
CREATE INDEX referral_from_org IF NOT EXISTS FOR (n:Referral) ON (n.from_org_id)

// name: index_referral_to_org
// mode: schema
// ... or received by it.
CREATE INDEX referral_to_org IF NOT EXISTS FOR (n:Referral) ON (n.to_org_id)
