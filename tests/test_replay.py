"""Replay stores: in process (bounded, expiring) and in a real redis-server shared by several instances."""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest
import redis
from redis_server import RedisServer, redis_server_fixture  # noqa: F401 - the fixture

from svaml.errors import SvamlError
from svaml.replay import MemoryReplayStore, RedisReplayStore, ReplayStore, fingerprint, first_time

KEY = "669E367E-6BBA-48AB-AF15-266871C28135"
SIGNATURE = "Tg6fMyo8mj9pYfWQ9ssbx3Tc1BNC87IEygAfLbJqZb4="


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        """Return the time the test set."""
        return self.now


def test_fingerprint_tells_key_timestamp_and_signature_apart() -> None:
    """Changing any of the three changes the fingerprint; the same three give the same one."""
    base = fingerprint(KEY, "2014-09-24T10:59:41Z", SIGNATURE)
    others = {
        fingerprint("other-key", "2014-09-24T10:59:41Z", SIGNATURE),
        fingerprint(KEY, "2014-09-24T10:59:42Z", SIGNATURE),
        fingerprint(KEY, "2014-09-24T10:59:41Z", SIGNATURE[:-2] + "c="),
    }
    expected = (3, base)
    assert expected == (len(others - {base}), fingerprint(KEY, "2014-09-24T10:59:41Z", SIGNATURE))


def test_redis_keeps_a_digest_never_the_signature(redis_server: RedisServer) -> None:
    """The Redis key is the prefix and 32 hex digits: the signature never reaches Redis."""
    store = RedisReplayStore.from_url(redis_server.url, prefix="t0:")
    store.add(fingerprint(KEY, "2014-09-24T10:59:41Z", SIGNATURE), 10)
    keys = [k.decode() for k in redis.Redis.from_url(redis_server.url).keys("t0:*")]
    expected = (1, 35, [])
    assert expected == (len(keys), len(keys[0]), [k for k in keys if SIGNATURE[:10] in k or KEY in k])


def test_memory_store_accepts_once_until_expiry() -> None:
    """A fingerprint is refused while remembered, and accepted again once its time is up."""
    clock = Clock()
    store = MemoryReplayStore(clock=clock)
    answers = [store.add("a", 10), store.add("a", 10)]
    clock.now += 9.9
    answers.append(store.add("a", 10))
    clock.now += 0.2
    answers.append(store.add("a", 10))
    expected = ([True, False, False, True], 1)
    assert expected == (answers, len(store))


def test_memory_store_forgets_expired_entries_so_memory_stays_bounded_by_one_window() -> None:
    """10,000 requests over 100 windows leave only the last window's requests in memory."""
    clock = Clock()
    store = MemoryReplayStore(clock=clock)
    for i in range(10_000):
        store.add(f"r{i}", 25.0)
        clock.now += 0.25  # 4 requests a second, each remembered 25 s (steps exact in binary)
    expected = 100
    assert expected == len(store)


def test_full_memory_store_evicts_the_oldest_and_warns_once(caplog: pytest.LogCaptureFixture) -> None:
    """At max_entries the oldest entry makes room; one warning says so."""
    clock = Clock()
    store = MemoryReplayStore(3, clock=clock)
    for name in ("first", "second", "third", "fourth"):
        store.add(name, 100)  # "fourth" evicts "first"
    remembered = [store.add(name, 100) for name in ("second", "first", "third")]  # "first" evicts "second"
    warnings = [r for r in caplog.records if r.name == "svaml.replay"]
    expected = ([False, True, False], 3, 1, logging.WARNING)
    assert expected == (remembered, len(store), len(warnings), warnings[0].levelno)


def test_an_entry_that_outlives_the_oldest_does_not_keep_expired_ones() -> None:
    """An entry with a long life ahead of short ones: the short ones are accepted again once expired."""
    clock = Clock()
    store = MemoryReplayStore(clock=clock)
    store.add("long", 100)
    store.add("short", 1)
    clock.now += 2
    expected = [False, True]
    assert expected == [store.add("long", 100), store.add("short", 1)]


def test_memory_store_is_atomic_across_threads() -> None:
    """Eight threads adding the same fingerprints at once: each fingerprint is accepted exactly once."""
    store = MemoryReplayStore()
    accepted: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(8)

    def work() -> None:
        start.wait()
        for i in range(500):
            if store.add(f"f{i}", 60):
                with lock:
                    accepted.append(f"f{i}")

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    expected = sorted(f"f{i}" for i in range(500))
    assert expected == sorted(accepted)


@pytest.mark.parametrize(("value", "error"), [(0, "at least 1"), ("10", "must be an int")])
def test_memory_store_refuses_a_bad_bound(value: object, error: str) -> None:
    """max_entries must be a positive int."""
    with pytest.raises(SvamlError, match=error):
        MemoryReplayStore(value)  # type: ignore[arg-type]


def test_both_stores_are_replay_stores(redis_server: RedisServer) -> None:
    """The memory and Redis stores both satisfy the ReplayStore protocol."""
    expected = [True, True]
    assert expected == [
        isinstance(MemoryReplayStore(), ReplayStore),
        isinstance(RedisReplayStore.from_url(redis_server.url), ReplayStore),
    ]


def test_first_time_remembers_a_request_until_it_leaves_the_window(redis_server: RedisServer) -> None:
    """A request stamped 100 s ago, in a 300 s window, is remembered in Redis for the 200 s left."""
    store = RedisReplayStore.from_url(redis_server.url, prefix="t1:")
    now = time.time()
    moment = datetime.fromtimestamp(now - 100, timezone.utc)
    stamp = moment.isoformat()
    answers = [
        first_time(store, KEY, stamp, moment, SIGNATURE, 300, now)
        for _ in range(2)
    ]
    (key,) = redis.Redis.from_url(redis_server.url).keys("t1:*")
    left = redis.Redis.from_url(redis_server.url).pttl(key)
    expected = ([True, False], True)
    # A few seconds of slack: a shared, loaded machine may pause between the write and the read.
    assert expected == (answers, 195_000 <= left <= 200_000)


def test_first_time_at_the_edge_of_the_window_still_remembers_briefly() -> None:
    """A request whose window has just closed is remembered for a minimal time, not refused for ever."""
    store = MemoryReplayStore()
    moment = datetime.now(timezone.utc) - timedelta(seconds=301)
    args = {
        "key": KEY,
        "timestamp": moment.isoformat(),
        "moment": moment,
        "signature": SIGNATURE,
        "window": 300,
    }
    first = first_time(store, **args)  # type: ignore[arg-type]
    time.sleep(0.01)
    expected = [True, True]
    assert expected == [first, first_time(store, **args)]  # type: ignore[arg-type]


def test_redis_store_expires_keys_with_the_ttl(redis_server: RedisServer) -> None:
    """A key set for 50 ms is refused at once and accepted again after it expired."""
    store = RedisReplayStore.from_url(redis_server.url, prefix="t2:")
    answers = [store.add("x", 0.05), store.add("x", 0.05)]
    time.sleep(0.12)
    answers.append(store.add("x", 0.05))
    expected = [True, False, True]
    assert expected == answers


def test_two_instances_sharing_redis_accept_each_request_once(redis_server: RedisServer) -> None:
    """Two stores with their own connection pools (two instances) race on 300 requests: each wins once."""
    stores = [RedisReplayStore.from_url(redis_server.url, prefix="t3:") for _ in range(2)]
    accepted: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(4)

    def work(store: RedisReplayStore) -> None:
        start.wait()
        for i in range(300):
            if store.add(f"r{i}", 60):
                with lock:
                    accepted.append(f"r{i}")

    threads = [threading.Thread(target=work, args=(stores[i % 2],)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    expected = sorted(f"r{i}" for i in range(300))
    assert expected == sorted(accepted)


def test_prefixes_keep_applications_apart(redis_server: RedisServer) -> None:
    """Stores with different prefixes share a Redis without seeing each other's requests."""
    first = RedisReplayStore.from_url(redis_server.url, prefix="app-a:")
    second = RedisReplayStore.from_url(redis_server.url, prefix="app-b:")
    expected = [True, True, False]
    assert expected == [first.add("same", 10), second.add("same", 10), first.add("same", 10)]


def test_redis_that_is_down_raises_its_error_quickly() -> None:
    """A store whose Redis does not listen raises redis' ConnectionError within the short timeouts."""
    with socketless_port() as port:
        store = RedisReplayStore.from_url(f"redis://127.0.0.1:{port}/0")
        started = time.monotonic()
        with pytest.raises(redis.exceptions.ConnectionError):
            store.add("x", 1)
    assert time.monotonic() - started < 5


class socketless_port:
    """A port on 127.0.0.1 that nothing listens on while the block runs."""

    def __enter__(self) -> int:
        import socket

        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
        port: int = self._socket.getsockname()[1]
        return port

    def __exit__(self, *exc: object) -> None:
        self._socket.close()


def test_importing_the_replay_module_does_not_load_redis() -> None:
    """``import svaml.replay`` and the memory store never import redis-py."""
    code = "import sys, svaml.replay as r; r.MemoryReplayStore().add('x', 1); print('redis' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    expected = "False"
    assert expected == done.stdout.strip()
