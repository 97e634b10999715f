"""An SMTP sink for the container test: accepts every mail and keeps it as DIR/<n>.eml.

Standard library only, so it runs in the bare base image: python3 smtpsink.py DIR [PORT]
"""

from __future__ import annotations

import asyncio
import itertools
import sys
from pathlib import Path

COUNTER = itertools.count(1)


async def session(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, directory: Path) -> None:
    def reply(line: str) -> None:
        writer.write(f"{line}\r\n".encode())

    reply("220 sink ESMTP")
    while line := await reader.readline():
        command = line.decode("latin-1").strip().upper()
        if command.startswith(("EHLO", "HELO")):
            reply("250-sink")
            reply("250 8BITMIME")
        elif command == "DATA":
            reply("354 end with <CRLF>.<CRLF>")
            await writer.drain()
            lines = []
            while (data := await reader.readline()) not in (b".\r\n", b".\n", b""):
                lines.append(data[1:] if data.startswith(b"..") else data)
            path = directory / f"{next(COUNTER):06d}.eml"
            path.with_suffix(".tmp").write_bytes(b"".join(lines))
            path.with_suffix(".tmp").rename(path)
            reply("250 accepted")
        elif command == "QUIT":
            reply("221 bye")
            await writer.drain()
            break
        else:  # MAIL, RCPT, RSET, NOOP
            reply("250 ok")
        await writer.drain()
    writer.close()


async def main(directory: Path, port: int) -> None:
    server = await asyncio.start_server(lambda r, w: session(r, w, directory), "0.0.0.0", port)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    Path(sys.argv[1]).mkdir(parents=True, exist_ok=True)
    asyncio.run(main(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 25))
