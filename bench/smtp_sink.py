"""A lean SMTP sink for the benchmarks: says yes to every command and throws every message away.

aiosmtpd's own sink parses each command and message in Python and tops out near 300 messages a
second here, which would measure aiosmtpd rather than the desk. This one speaks just enough SMTP
for smtplib (EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT), and counts what it swallowed.
Run: python bench/smtp_sink.py PORT
"""

import asyncio
import sys


class Sink(asyncio.Protocol):
    messages = 0

    def connection_made(self, transport):
        self.transport, self.buffer, self.in_data = transport, b"", False
        transport.write(b"220 sink ESMTP\r\n")

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            if self.in_data:
                end = self.buffer.find(b"\r\n.\r\n")
                if end < 0:
                    return
                self.buffer, self.in_data = self.buffer[end + 5 :], False
                Sink.messages += 1
                self.transport.write(b"250 OK\r\n")
                continue
            line, sep, rest = self.buffer.partition(b"\r\n")
            if not sep:
                return
            self.buffer = rest
            verb = line[:4].upper()
            if verb == b"EHLO":
                self.transport.write(b"250-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
            elif verb == b"DATA":
                self.in_data = True
                # A message may start right after the command: loop again to look for its end.
                self.buffer = b"\r\n" + self.buffer
                self.transport.write(b"354 go on\r\n")
            elif verb == b"QUIT":
                self.transport.write(b"221 bye\r\n")
                self.transport.close()
                return
            else:
                self.transport.write(b"250 OK\r\n")


async def serve(port: int) -> None:
    server = await asyncio.get_running_loop().create_server(Sink, "127.0.0.1", port)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(serve(int(sys.argv[1])))
