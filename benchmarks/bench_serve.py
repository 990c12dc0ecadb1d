"""A bounded load test on localhost: svaml's callback app under uvicorn (ASGI) and gunicorn (WSGI).

Each server runs in its own process on a free port of 127.0.0.1, serving either svaml's
CallbackApp (verify, replay check in process, read, a small menu, check, write) or a bare
endpoint (``json.loads`` + one HMAC + ``json.dumps``), one after the other in the same run. The
client sends N signed ICE requests (20,000 by default, each signed anew: a replay would be
refused) from several threads over keep-alive connections, and reports requests per second,
latency percentiles, errors (any answer but 200, any connection failure), and the server's
resident memory after a warm-up and at the end (flat memory: the end is not far above the
warm-up). The client shares the machine's cores with the server, so the figures are for
comparing the lines of one run, not absolute.

    python benchmarks/bench_serve.py [REQUESTS] [CLIENTS]
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from svaml.signing import Credentials

HERE = Path(__file__).resolve().parent
KEY = "669E367E-6BBA-48AB-AF15-266871C28135"
SECRET = "BeIukql3pTKJ8RGL5zo0DA=="
PATH = "/sinch/callback"
TIME_LIMIT = 300.0  # seconds for one server's run, whatever N: the test stops by itself

SERVERS = [
    ("uvicorn", "svaml", "_serve_apps:asgi_svaml"),
    ("uvicorn", "bare", "_serve_apps:asgi_bare"),
    ("gunicorn", "svaml", "_serve_apps:wsgi_svaml"),
    ("gunicorn", "bare", "_serve_apps:wsgi_bare"),
]


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start(server: str, target: str, port: int) -> subprocess.Popen[bytes]:
    """Start ``server`` serving ``target`` on ``port``, one process, and wait until it answers."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE), str(HERE.parent), os.environ.get("PYTHONPATH", "")])}
    if server == "uvicorn":
        command = [sys.executable, "-m", "uvicorn", target, "--host", "127.0.0.1", "--port", str(port),
                   "--log-level", "warning", "--no-access-log", "--workers", "1"]
    else:
        if shutil.which("gunicorn") is None and not _has_module("gunicorn"):
            sys.exit("gunicorn is not installed: pip install gunicorn (the test extras have it)")
        command = [sys.executable, "-m", "gunicorn", target, "--bind", f"127.0.0.1:{port}", "--workers", "1",
                   "--worker-class", "gthread", "--threads", "8", "--log-level", "warning",
                   "--keep-alive", "30"]
    process = subprocess.Popen(command, cwd=HERE, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            error = process.stderr.read().decode() if process.stderr else ""
            sys.exit(f"{server} exited at start: {error[-2000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.05)
    process.terminate()
    sys.exit(f"{server} did not start within 30 s")


def _has_module(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


def rss_kib(pid: int) -> int:
    """Resident memory of a process and its children, in KiB (Linux /proc)."""
    total = 0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for each in pids:
        try:
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total


def signed_requests(count: int) -> list[tuple[bytes, dict[str, str]]]:
    """``count`` ICE requests, each with its own call id and so its own signature."""
    credentials = Credentials(key=KEY, secret=SECRET)
    out = []
    for i in range(count):
        body = json.dumps(
            {"event": "ice", "callid": f"load-{i:08d}", "cli": "+46708168731", "version": 1,
             "to": {"type": "number", "endpoint": "+46700000000"}, "domain": "pstn"},
            separators=(",", ":"),
        ).encode()
        headers = credentials.sign(method="POST", path=PATH, body=body, content_type="application/json")
        out.append((body, {**headers, "Content-Type": "application/json"}))
    return out


def load(port: int, work: list[tuple[bytes, dict[str, str]]], clients: int) -> tuple[float, list[float], int]:
    """Send every request from ``clients`` threads; return seconds taken, latencies (ms) and errors."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    next_index = [0]
    ends = time.monotonic() + TIME_LIMIT

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        failed = 0
        while time.monotonic() < ends:
            with lock:
                index = next_index[0]
                next_index[0] += 1
            if index >= len(work):
                break
            body, headers = work[index]
            started = time.perf_counter()
            try:
                conn.request("POST", PATH, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    failed += 1
            except (OSError, http.client.HTTPException):
                failed += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            mine.append((time.perf_counter() - started) * 1000)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started, latencies, errors[0] + (len(work) - len(latencies))


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def main() -> None:
    """Run each server in turn and print one line each."""
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    clients = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    warmup = max(10, count // 20)
    print(f"{count:,} signed ICE requests from {clients} clients (keep-alive) per server; warm-up {warmup:,}")
    print(f"{'server':9} {'app':6} {'req/s':>8} {'p50 ms':>7} {'p90 ms':>7} {'p99 ms':>7} {'max ms':>7}"
          f" {'errors':>6} {'RSS warm':>9} {'RSS end':>9}")
    results: dict[tuple[str, str], float] = {}
    total_errors = 0
    for server, kind, target in SERVERS:
        port = free_port()
        process = start(server, target, port)
        try:
            _, _, warm_errors = load(port, signed_requests(warmup), clients)
            warm = rss_kib(process.pid)
            seconds, latencies, errors = load(port, signed_requests(count), clients)
            end = rss_kib(process.pid)
        finally:
            process.terminate()
            process.wait(30)
        errors += warm_errors
        total_errors += errors
        rate = len(latencies) / seconds if seconds else 0.0
        results[(server, kind)] = rate
        print(f"{server:9} {kind:6} {rate:8.0f} {percentile(latencies, 50):7.2f} {percentile(latencies, 90):7.2f}"
              f" {percentile(latencies, 99):7.2f} {max(latencies):7.2f} {errors:6d}"
              f" {warm / 1024:7.1f}MB {end / 1024:7.1f}MB")
        if kind == "svaml" and len(latencies) > 1:
            print(f"{'':16} mean {statistics.fmean(latencies):.2f} ms")
    for server in ("uvicorn", "gunicorn"):
        ratio = results[(server, "bare")] / results[(server, "svaml")] if results[(server, "svaml")] else 0.0
        print(f"{server}: svaml serves {1 / ratio if ratio else 0:.2f}x the bare endpoint's requests per second")
    print(f"errors: {total_errors}")
    if total_errors:
        sys.exit(1)


if __name__ == "__main__":
    main()
