// name: export_records
// params: table
// The kept HSDS rows of one table, in id order.
MATCH (x:HsdsRecord&!Staged {table: $table})
RETURN x.data AS data
ORDER BY x.record_id

// name: export_unrecorded_organizations
// Organizations no HSDS row describes (the built-in directory, or merged-into records),
// with what an export must say about them.
MATCH (o:Organization&!Staged)
WHERE o.hsds IS NULL AND NOT EXISTS { MATCH (x:HsdsRecord&!Staged {key: 'organization:' + o.id}) }
OPTIONAL MATCH (o)-[:LOCATED_IN]->(g:Region)
RETURN o {.id, .name, .alternate_names, .description, .website, .email, .phone, .kind,
          .jurisdiction, .bin} AS org,
       g {.code, .name_en, lat: g.location.latitude, lon: g.location.longitude} AS region,
       COLLECT { MATCH (o)-[:HOLDS]->(x:Responsibility) RETURN x.code ORDER BY x.code }
         AS responsibilities
ORDER BY o.id

// name: export_unrecorded_services
// Services no HSDS row describes, with their provider, needs and regions; their free places
// as the directory stated them (before referrals: loading the export again keeps held places
// held once, not twice).
MATCH (o:Organization&!Staged)-[:PROVIDES]->(s:Service&!Staged)
WHERE s.hsds IS NULL AND NOT EXISTS { MATCH (x:HsdsRecord&!Staged {key: 'service:' + s.id}) }
RETURN s {.id, .name, .description, .status, .min_age, .max_age, .languages, .citizenship,
          .sexes, .exploitation_types, .capacity_total,
          capacity_available: coalesce(s.capacity_offered, s.capacity_available)} AS service,
       o.id AS organization_id,
       COLLECT { MATCH (s)-[:MEETS]->(n:Need) RETURN n.code ORDER BY n.code } AS needs,
       COLLECT { MATCH (s)-[:SERVES]->(g:Region) RETURN g.name_en ORDER BY g.code } AS regions
ORDER BY s.id

// name: export_packs
// The HSDS rows organizations and services keep in their `hsds` packs.
MATCH (o:Organization&!Staged)
WHERE o.hsds IS NOT NULL
RETURN o.hsds AS hsds
UNION ALL
MATCH (s:Service&!Staged)
WHERE s.hsds IS NOT NULL
RETURN s.hsds AS hsds
