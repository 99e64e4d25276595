// The graphql-http server audit (GraphQL over HTTP) against a running referralnet, with a
// bearer token on every request. Usage: node audit.mjs <url of /graphql>; the token comes in
// REFERRALNET_AUDIT_TOKEN. Prints one JSON list of {id, name, status, reason}.
import { auditServer } from 'graphql-http';

const url = process.argv[2];
const token = process.env.REFERRALNET_AUDIT_TOKEN;
if (!url || !token) {
  console.error('usage: REFERRALNET_AUDIT_TOKEN=... node audit.mjs http://host:port/graphql');
  process.exit(2);
}

function withToken(input, init = {}) {
  const headers = new Headers(init.headers || {});
  headers.set('authorization', `Bearer ${token}`);
  return fetch(input, { ...init, headers });
}

const results = await auditServer({ url, fetchFn: withToken });
const out = results.map((r) => ({ id: r.id, name: r.name, status: r.status, reason: r.reason ?? null }));
process.stdout.write(JSON.stringify(out) + '\n');
