"""What a hostile endpoint costs the client: a huge body, a gzip bomb, an answer dripped slowly.

A local server on 127.0.0.1 sends each answer; the client refuses it. Printed for each: the wall
time to the refusal and the peak of Python memory (tracemalloc) while refusing, next to the
client's own cap (``max_response``) and deadline. Before these limits, issue 11 measured a 300 MB
body adding 604 MB, a 1 GB gzip bomb 1.46 GB, and a drip-fed answer lasting 58-82 s.

Run ``python benchmarks/bench_hostile.py``; ``SVAML_BENCH_QUICK=1`` makes every case small.
"""

from __future__ import annotations

import socket
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator

from _timing import QUICK

from svaml.client import VoiceClient
from svaml.errors import SinchError

KEY = "669E367E-6BBA-48AB-AF15-266871C28135"
SECRET = "BeIukql3pTKJ8RGL5zo0DA=="
MB = 1 << 20
BODY = (30 if QUICK else 300) * MB
BOMB = (64 if QUICK else 1024) * MB
DEADLINE = 0.5 if QUICK else 3.0


def serve(answer: Callable[[], Iterator[bytes]]) -> tuple[str, Callable[[], None]]:
    """Serve ``answer()`` (raw HTTP bytes, in pieces) to every connection; return the URL and a stop."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    stopping = threading.Event()

    def one(connection: socket.socket) -> None:
        with connection:
            connection.recv(65536)
            try:
                for piece in answer():
                    connection.sendall(piece)
            except OSError:
                pass  # the client stopped reading: the refusal

    def loop() -> None:
        while not stopping.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=one, args=(connection,), daemon=True).start()

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()

    def stop() -> None:
        stopping.set()
        thread.join()
        listener.close()

    return f"http://127.0.0.1:{listener.getsockname()[1]}", stop


def huge() -> Iterator[bytes]:
    """A body of BODY bytes, announced."""
    yield f"HTTP/1.1 200 OK\r\nContent-Length: {BODY}\r\n\r\n".encode()
    block = b" " * MB
    for _ in range(BODY // MB):
        yield block


def bomb_bytes() -> bytes:
    """A gzip stream that inflates to BOMB zero bytes."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(MB)
    return b"".join([*(packer.compress(block) for _ in range(BOMB // MB)), packer.flush()])


def drip() -> Iterator[bytes]:
    """An answer of 100,000 bytes sent one every 50 ms."""
    yield b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n"
    for _ in range(100000):
        time.sleep(0.05)
        yield b" "


def refuse(answer: Callable[[], Iterator[bytes]]) -> tuple[float, float, str]:
    """Return (seconds, peak MB, error class) of one get_call against ``answer``."""
    url, stop = serve(answer)
    try:
        with VoiceClient(KEY, SECRET, base_url=url, retries=0, deadline=DEADLINE) as client:
            tracemalloc.start()
            started = time.perf_counter()
            try:
                client.get_call("c1")
                kind = "none"
            except SinchError as error:
                kind = type(error).__name__
            elapsed = time.perf_counter() - started
            peak = tracemalloc.get_traced_memory()[1] / MB
            tracemalloc.stop()
    finally:
        stop()
    return elapsed, peak, kind


def main() -> None:
    """Print what refusing each hostile answer costs."""
    bomb = bomb_bytes()
    cases: dict[str, Callable[[], Iterator[bytes]]] = {
        f"a {BODY // MB} MB body": huge,
        f"a {len(bomb) / MB:.1f} MB gzip bomb of {BOMB // MB} MB": lambda: iter(
            [f"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: {len(bomb)}\r\n\r\n".encode(), bomb]
        ),
        "an answer dripped a byte every 50 ms": drip,
    }
    cap = VoiceClient(KEY, SECRET).max_response / MB
    print(f"max_response {cap:.0f} MB, deadline {DEADLINE:g} s (default 30 s)")
    for name, answer in cases.items():
        seconds, peak, kind = refuse(answer)
        if kind == "none":
            raise SystemExit(f"{name} was not refused")
        print(f"  {name:<42} refused with {kind:<16} in {seconds:6.2f} s, peak {peak:7.1f} MB"
              f" ({peak / cap:.1f}x the cap)")
    print("refused: all three")


if __name__ == "__main__":
    main()
