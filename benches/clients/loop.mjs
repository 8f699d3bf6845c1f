// N sequential calls of one tool with the official TypeScript MCP SDK
// (@modelcontextprotocol/sdk, pinned in tests/servers/npm), over stdio.
//
// Usage: node loop.mjs N TOOL ARGS_JSON -- COMMAND [ARGS...]
// Prints one line of JSON: {"calls": N, "seconds": S}, timed from the first call to the last
// answer (process start, server start and the handshake are left out, as on the Rust side).
// Run by benches/calls.rs with NODE_PATH pointing at tests/servers/npm/node_modules.
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(path.join(process.env.NODE_PATH ?? ".", "noop.js"));
const { Client } = require("@modelcontextprotocol/sdk/client/index.js");
const { StdioClientTransport } = require("@modelcontextprotocol/sdk/client/stdio.js");

const [n, tool, argsJson] = process.argv.slice(2, 5).map((a, i) => (i === 0 ? Number(a) : a));
const args = JSON.parse(argsJson);
const command = process.argv.slice(process.argv.indexOf("--") + 1);

const client = new Client({ name: "codemode-bench", version: "0.0.0" });
await client.connect(new StdioClientTransport({ command: command[0], args: command.slice(1) }));
await client.callTool({ name: tool, arguments: args }); // warm-up, not timed
const start = process.hrtime.bigint();
for (let i = 0; i < n; i++) {
  const result = await client.callTool({ name: tool, arguments: args });
  if (result.isError) throw new Error(`${tool} failed: ${JSON.stringify(result)}`);
}
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
await client.close();
console.log(JSON.stringify({ calls: n, seconds }));
