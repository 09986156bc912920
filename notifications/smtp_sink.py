"""A tiny SMTP server that accepts mail and keeps it in memory (or counts it).

For tests, benchmarks and local debugging; not a mail server. It speaks just enough SMTP for
Python's smtplib (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) and can be told to answer
the first N messages with a failure (451 by default, or any reply you give it), which is how
the outbox tests make a real SMTP delivery fail twice and then succeed, or be refused for good.

    python -m notifications.smtp_sink --port 8325        # print a line per message received
"""

from __future__ import annotations

import argparse
import asyncio
import threading
from dataclasses import dataclass, field


@dataclass
class ReceivedMessage:
    mail_from: str
    rcpt_to: list[str]
    data: bytes


@dataclass
class SmtpSink:
    host: str = "127.0.0.1"
    port: int = 0
    fail_first: int = 0  # answer this many DATA commands with `fail_reply` before accepting
    fail_reply: str = "451 4.3.0 Temporary failure, try again later"
    keep_messages: bool = True
    messages: list[ReceivedMessage] = field(default_factory=list)
    received: int = 0
    rejected: int = 0
    _server: asyncio.AbstractServer | None = None

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._session, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        def reply(line: str):
            writer.write(line.encode() + b"\r\n")

        reply("220 sink.local ESMTP ready")
        mail_from = ""
        rcpt_to: list[str] = []
        try:
            while True:
                raw = await reader.readline()
                if not raw:
                    break
                command = raw.decode(errors="replace").strip()
                verb = command[:4].upper()
                if verb == "EHLO":
                    writer.write(b"250-sink.local\r\n250-8BITMIME\r\n250 SIZE 10485760\r\n")
                elif verb == "HELO":
                    reply("250 sink.local")
                elif verb == "MAIL":
                    mail_from, rcpt_to = command[10:].strip(" <>"), []
                    reply("250 OK")
                elif verb == "RCPT":
                    rcpt_to.append(command[8:].strip(" <>"))
                    reply("250 OK")
                elif verb == "DATA":
                    reply("354 End data with <CR><LF>.<CR><LF>")
                    await writer.drain()
                    data = await self._read_data(reader)
                    if self.rejected < self.fail_first:
                        self.rejected += 1
                        reply(self.fail_reply)
                    else:
                        self.received += 1
                        if self.keep_messages:
                            self.messages.append(ReceivedMessage(mail_from, rcpt_to, data))
                        reply("250 OK queued")
                elif verb == "RSET":
                    mail_from, rcpt_to = "", []
                    reply("250 OK")
                elif verb == "NOOP":
                    reply("250 OK")
                elif verb == "QUIT":
                    reply("221 Bye")
                    await writer.drain()
                    break
                else:
                    reply("502 Command not implemented")
                await writer.drain()
        except (ConnectionResetError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    @staticmethod
    async def _read_data(reader: asyncio.StreamReader) -> bytes:
        lines = []
        while True:
            line = await reader.readline()
            if line in (b".\r\n", b".\n", b""):
                break
            lines.append(line[1:] if line.startswith(b"..") else line)
        return b"".join(lines)


class ThreadedSmtpSink:
    """The sink on its own event loop in a daemon thread (for synchronous tests)."""

    def __init__(self, **options):
        self.sink = SmtpSink(**options)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def __enter__(self) -> SmtpSink:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.sink.start(), self._loop).result(timeout=10)
        return self.sink

    def __exit__(self, *exc_info):
        asyncio.run_coroutine_threadsafe(self.sink.stop(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8325)
    args = parser.parse_args()

    async def serve():
        sink = SmtpSink(host=args.host, port=args.port, keep_messages=False)
        await sink.start()
        print(f"SMTP sink on {args.host}:{sink.port} (Ctrl-C to stop)", flush=True)
        while True:
            await asyncio.sleep(5)
            print(f"received {sink.received} messages", flush=True)

    asyncio.run(serve())


if __name__ == "__main__":
    main()
