"""A real Python MCP client against sluice, the way an agent would use it.

Usage: python_client.py CLIENT MODE TARGET JOB...
  CLIENT  mcp (the official Python SDK) or fastmcp (FastMCP's client)
  MODE    legacy (2025 handshake) or 2026-07-28
  TARGET  an http(s) URL, or stdio:<json list: command and args>
  JOB     read:URI   read a resource by following sluice's paging note
          call:TOOL  call a tool (no arguments); if the result links its full
                     output, read the link by following the note too

Prints one JSON object per job on stdout: the sha256 and size of what was read,
how many windows it took, and the largest encoded message it saw. Exits non-zero
with the error on stderr if anything fails (a refused SSE event included).
"""

import asyncio
import base64
import hashlib
import json
import re
import sys

NOTE_KEY = "dev.sluice/note"
WINDOW_KEY = "dev.sluice/window"
NOTE_URI = re.compile(r'resources/read with the URI "([^"]+)"')


def meta_of(item):
    return getattr(item, "meta", None) or {}


async def read_following_notes(read, uri):
    digest = hashlib.sha256()
    size = 0
    windows = 0
    largest = 0
    while True:
        result = await read(uri)
        windows += 1
        largest = max(largest, len(result.model_dump_json(by_alias=True)))
        notes = [c for c in result.contents if meta_of(c).get(NOTE_KEY)]
        for item in result.contents:
            if meta_of(item).get(NOTE_KEY):
                continue
            data = item.text.encode("utf-8") if getattr(item, "text", None) is not None else base64.b64decode(item.blob)
            digest.update(data)
            size += len(data)
        window = meta_of(result).get(WINDOW_KEY)
        if not notes:
            if window is not None and not window["end"]:
                raise RuntimeError(f"no note on a window that is not the last: {window}")
            break
        match = NOTE_URI.search(notes[0].text)
        if match is None:
            raise RuntimeError(f"the note names no URI: {notes[0].text}")
        uri = match.group(1)
        if windows > 10_000:
            raise RuntimeError("too many windows")
    return {"sha256": digest.hexdigest(), "size": size, "windows": windows, "largestMessage": largest}


def connect(client_kind, mode, target):
    if target.startswith("stdio:"):
        argv = json.loads(target[len("stdio:"):])
        if client_kind == "mcp":
            from mcp.client.stdio import StdioServerParameters

            server = StdioServerParameters(command=argv[0], args=argv[1:])
        else:
            from fastmcp.client.transports import StdioTransport

            server = StdioTransport(command=argv[0], args=argv[1:])
    else:
        server = target
    if client_kind == "mcp":
        from mcp import Client

        return Client(server, mode=mode)
    from fastmcp import Client

    return Client(server, mode=mode)


async def main():
    client_kind, mode, target, *jobs = sys.argv[1:]
    async with connect(client_kind, mode, target) as client:
        if client_kind == "mcp":
            read = client.read_resource
        else:
            read = client.read_resource_mcp
        for job in jobs:
            kind, _, name = job.partition(":")
            if kind == "read":
                report = await read_following_notes(read, name)
            elif kind == "call":
                result = await (client.call_tool(name, {}) if client_kind == "mcp" else client.call_tool_mcp(name, {}))
                links = [c for c in result.content if getattr(c, "type", None) == "resource_link"]
                report = {"isError": bool(getattr(result, "is_error", False))}
                report["largestMessage"] = len(result.model_dump_json(by_alias=True))
                if links:
                    report["link"] = str(links[0].uri)
                    report["linked"] = await read_following_notes(read, str(links[0].uri))
            else:
                raise ValueError(f"unknown job {job}")
            print(json.dumps({"job": job, **report}), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
