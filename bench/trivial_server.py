"""An HTTP server that returns the same fixed bytes for every request, for the load generator's ceiling.

It parses only enough of HTTP/1.1 (headers and Content-Length) to keep
connections alive, so nearly all the CPU of a run goes to the generator.

    python -m bench.trivial_server PORT
"""

import asyncio
import sys

RESPONSE = (b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 50\r\n\r\n"
            b'<?xml version="1.0" encoding="UTF-8"?><Response />')


class FixedAnswer(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport
        self.buffer = b""

    def data_received(self, data):
        self.buffer += data
        while True:
            head_end = self.buffer.find(b"\r\n\r\n")
            if head_end < 0:
                return
            length = 0
            for line in self.buffer[:head_end].split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            request_end = head_end + 4 + length
            if len(self.buffer) < request_end:
                return
            self.buffer = self.buffer[request_end:]
            self.transport.write(RESPONSE)


async def serve(port: int) -> None:
    server = await asyncio.get_running_loop().create_server(FixedAnswer, "127.0.0.1", port)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(serve(int(sys.argv[1])))
