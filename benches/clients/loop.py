"""N sequential calls of one tool with the official Python MCP SDK (`mcp`), over stdio.

Usage: python loop.py N TOOL ARGS_JSON -- COMMAND [ARGS...]
Prints one line of JSON: {"calls": N, "seconds": S}, timed from the first call to the last
answer (process start, server start and the handshake are left out, as on the Rust side).
Run by benches/calls.rs with the Python of tests/servers/python/.venv.
"""

import asyncio
import json
import sys
import time

from mcp import Client, StdioServerParameters


async def main() -> None:
    n, tool, args = int(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3])
    command = sys.argv[sys.argv.index("--") + 1 :]
    params = StdioServerParameters(command=command[0], args=command[1:])
    async with Client(params, cache=None) as client:
        await client.call_tool(tool, args)  # warm-up, not timed
        start = time.perf_counter()
        for _ in range(n):
            result = await client.call_tool(tool, args)
            if result.is_error:
                raise SystemExit(f"{tool} failed: {result}")
        seconds = time.perf_counter() - start
    print(json.dumps({"calls": n, "seconds": seconds}))


asyncio.run(main())
