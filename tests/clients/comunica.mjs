// Runs queries with Comunica against one SPARQL endpoint (argv[2]); jobs come as JSON on stdin:
// [{name, query, mediaType}], answers go to stdout as [{name, mediaType, body}] (tests/test_clients.py).
import { QueryEngine } from "@comunica/query-sparql";

const endpoint = process.argv[2];
const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const jobs = JSON.parse(Buffer.concat(chunks).toString("utf8"));
const engine = new QueryEngine();
const context = { sources: [{ type: "sparql", value: endpoint }], lenient: false };
const out = [];
for (const job of jobs) {
  const result = await engine.query(job.query, context);
  const { data } = await engine.resultToString(result, job.mediaType, context);
  let body = "";
  for await (const part of data) body += part;
  out.push({ name: job.name, mediaType: job.mediaType, body });
}
process.stdout.write(JSON.stringify(out));
