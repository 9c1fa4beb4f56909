"""The official Python MCP SDK's ClientSession over a WebSocket made by the `websockets` library.

Neither the Python SDK (2.3.0) nor FastMCP ships a WebSocket client transport, so this file is the
transport, in the shape the SDK's own stdio transport has (two memory streams of SessionMessage):
frames in, parsed by the SDK's own adapter; messages out, dumped by the SDK. Everything else,
the handshake, ids, progress and results, is the SDK's ClientSession, and the WebSocket protocol
(framing, the subprotocol, answering pings) is the `websockets` library's.

Usage: python_ws_client.py WS_URL TOOL N
Calls TOOL with {"n": N} after initialize and tools/list; prints one JSON object: the tool names,
the progress values seen, and the result's text.
"""

import json
import sys

import anyio
import mcp_types as types
import websockets
from mcp import ClientSession
from mcp.shared.message import SessionMessage


async def main(url: str, tool: str, n: int) -> None:
    async with websockets.connect(url, subprotocols=["mcp"]) as ws:
        read_writer, read_stream = anyio.create_memory_object_stream(0)
        write_stream, write_reader = anyio.create_memory_object_stream(0)

        async def reader() -> None:
            async with read_writer:
                async for frame in ws:
                    await read_writer.send(SessionMessage(types.jsonrpc_message_adapter.validate_json(frame, by_name=False)))

        async def writer() -> None:
            async with write_reader:
                async for message in write_reader:
                    await ws.send(message.message.model_dump_json(by_alias=True, exclude_unset=True))

        async with anyio.create_task_group() as tg:
            tg.start_soon(reader)
            tg.start_soon(writer)
            progress: list[float] = []

            async def on_progress(value: float, total: float | None, message: str | None) -> None:
                progress.append(value)

            async with ClientSession(read_stream, write_stream) as session:
                await session.initialize()
                tools = await session.list_tools()
                result = await session.call_tool(tool, {"n": n}, progress_callback=on_progress)
                text = "".join(block.text for block in result.content if getattr(block, "text", None) is not None)
                print(json.dumps({"tools": sorted(t.name for t in tools.tools), "progress": progress, "text": text, "isError": bool(result.is_error)}))
            tg.cancel_scope.cancel()


if __name__ == "__main__":
    anyio.run(main, sys.argv[1], sys.argv[2], int(sys.argv[3]))
