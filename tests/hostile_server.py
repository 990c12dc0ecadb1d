"""A hostile HTTP server on 127.0.0.1 for the client's adversarial tests.

Each server answers every request with a function of its own (redirects anywhere, drip-fed or
endless bodies, gzip bombs, nested JSON…), writing raw bytes to the socket, and counts the
requests it received. It never verifies anything: it plays a broken proxy or a wrong
``base_url``, which is exactly what the client must not trust.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import zlib
from collections.abc import Callable, Iterator

__all__ = ["Exchange", "HostileServer", "endless", "gzip_bomb"]


class Exchange:
    """One request as received (method, target, headers, body) and the socket to answer on."""

    def __init__(self, connection: socket.socket, head: bytes, body: bytes) -> None:
        self.connection = connection
        lines = head.decode("latin-1").split("\r\n")
        self.method, self.target, _ = lines[0].split(" ", 2)
        pairs = (line.partition(":") for line in lines[1:])
        self.headers = {name.strip().lower(): value.strip() for name, _, value in pairs}
        self.body = body

    def send(self, status: int, headers: dict[str, str], body: bytes | Iterator[bytes] = b"") -> None:
        """Write a status line, headers and a body (bytes, or chunks written as they come)."""
        head = f"HTTP/1.1 {status} Hostile\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.connection.sendall((head + "Connection: close\r\n\r\n").encode("latin-1"))
        chunks = [body] if isinstance(body, bytes) else body
        try:
            for chunk in chunks:
                self.connection.sendall(chunk)
        except OSError:
            pass  # the client hung up: what a client that stops reading does


class HostileServer:
    """Serve ``answer(exchange)`` for every request on 127.0.0.1 until stopped; count requests."""

    def __init__(self, answer: Callable[[Exchange], None]) -> None:
        self.answer = answer
        self.requests: list[Exchange] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        """The server's base URL."""
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping.set()
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accept at once on Linux
        self._thread.join(5)
        self._listener.close()

    def _serve(self) -> None:
        while not self._stopping.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return  # shut down
            threading.Thread(target=self._one, args=(connection,), daemon=True).start()

    def _one(self, connection: socket.socket) -> None:
        with connection:
            connection.settimeout(5)
            data = b""
            try:
                while b"\r\n\r\n" not in data:
                    got = connection.recv(65536)
                    if not got:
                        return
                    data += got
                head, _, body = data.partition(b"\r\n\r\n")
                exchange = Exchange(connection, head, body)
                length = int(exchange.headers.get("content-length", "0"))
                while len(exchange.body) < length:
                    exchange.body += connection.recv(65536)
                self.requests.append(exchange)
                self.answer(exchange)
            except OSError:
                pass


def gzip_bomb(size: int) -> bytes:
    """Return a gzip stream that inflates to ``size`` zero bytes, made in one pass of ~1 MB blocks."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(1 << 20)
    parts = [packer.compress(block) for _ in range(size >> 20)]
    parts.append(packer.compress(bytes(size & ((1 << 20) - 1))))
    parts.append(packer.flush())
    return b"".join(parts)


def endless(chunk: bytes) -> Iterator[bytes]:
    """Yield ``chunk`` for ever: a body that never ends (the client must stop reading)."""
    while True:
        yield chunk
