"""Replay protection: each signed callback is accepted once, by every instance of the application.

A signature proves who sent a request, not that it is new: a request captured on the way (a
log, a proxy) verifies again for as long as its ``x-timestamp`` lies inside the replay window.
A :class:`ReplayStore` remembers what was accepted — the application key, the ``x-timestamp``
and the signature — for exactly as long as the request could still verify, so a
second delivery is refused and memory stays bounded by the traffic of one window.

Two stores: :class:`MemoryReplayStore`, in the process (the default of
:class:`~svaml.callbacks.CallbackApp`; one instance of the application), and
:class:`RedisReplayStore`, shared by every instance behind a load balancer through one atomic
``SET key 1 NX PX ttl`` (``pip install 'svaml[redis]'``; redis-py is imported only when
:meth:`RedisReplayStore.from_url` is called). Any object with the same ``add`` method is a store.
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from svaml.errors import ReplayStoreError, SvamlError, SvamlTypeError

if TYPE_CHECKING:
    import redis

__all__ = ["MemoryReplayStore", "RedisReplayStore", "ReplayStore", "fingerprint", "first_time"]

_log = logging.getLogger("svaml.replay")

#: The shortest memory of a request: one that verified at the very edge of the window.
_MIN_TTL = 0.001


@runtime_checkable
class ReplayStore(Protocol):
    """Where accepted requests are remembered: one method, atomic for the store's users."""

    def add(self, fingerprint: str, ttl: float) -> bool:
        """Remember ``fingerprint`` for ``ttl`` seconds; return False if it is remembered already.

        Must be atomic: of two concurrent calls with one fingerprint, exactly one returns True.
        """
        ...


def fingerprint(key: str, timestamp: str, signature: str) -> str:
    """Return what identifies a request to a store: its key, ``x-timestamp`` and signature, joined.

    Kept as is in process (hashing it would cost more than the rest of the check); a store that
    sends it elsewhere digests it first (:class:`RedisReplayStore` keeps a SHA-256, so no
    signature reaches Redis). It is never logged.
    """
    return f"{key}\n{timestamp}\n{signature}"


def first_time(
    store: ReplayStore,
    key: str,
    timestamp: str,
    moment: datetime,
    signature: str,
    window: float,
    now: float | None = None,
) -> bool:
    """Remember a verified request until it leaves the window; return whether it is new.

    ``timestamp`` is the ``x-timestamp`` header as received and ``moment`` the time it says;
    ``window`` the replay window in seconds; ``now`` the clock in seconds since the epoch
    (default: the current time). The request verifies until ``moment + window``, so it is
    remembered until then, and no longer. A failure of the store raises
    :class:`~svaml.errors.ReplayStoreError`, with the store's own error as its cause.
    """
    clock = time.time() if now is None else now
    ttl = max(_MIN_TTL, moment.timestamp() + window - clock)
    try:
        return store.add(fingerprint(key, timestamp, signature), ttl)
    except Exception as exc:  # Redis down, a timeout: the store's own error, kept as the cause
        raise ReplayStoreError(f"the replay store failed: {type(exc).__name__}: {exc}"[:500]) from exc


class MemoryReplayStore:
    """Accepted requests remembered in this process: right for one instance of the application.

    Entries leave once expired, oldest first (requests arrive in about the order of their
    ``x-timestamp``, so the oldest entry is about the first to expire; one that lives longer only
    holds the ones behind it a little longer, never past their window). ``max_entries`` bounds
    the memory (some 300 bytes an entry): it is far above what Sinch sends in one window
    (100,000 entries is 166 callbacks a second over a 300-second window, either way); when full,
    the oldest entry makes room, and a warning says so once. Thread-safe; ``clock`` is a
    monotonic clock in seconds (for tests).
    """

    def __init__(self, max_entries: int = 100_000, *, clock: Callable[[], float] = time.monotonic) -> None:
        if isinstance(max_entries, bool) or not isinstance(max_entries, int):
            raise SvamlTypeError(f"max_entries must be an int, not {type(max_entries).__name__}")
        if max_entries < 1:
            raise SvamlError("max_entries must be at least 1")
        self._max = max_entries
        self._clock = clock
        # Insertion order is arrival order: the first entry is the oldest. A dict, not a heap:
        # a request costs a lookup and an insert, which keeps the check within 5% of a callback.
        self._expiry: dict[str, float] = {}
        self._lock = threading.Lock()
        self._warned = False

    def __len__(self) -> int:
        """How many requests are remembered now (expired ones leave at the next ``add``)."""
        return len(self._expiry)

    def __repr__(self) -> str:
        return f"MemoryReplayStore({len(self._expiry)} of {self._max} entries)"

    def __deepcopy__(self, memo: object) -> MemoryReplayStore:
        # A lock cannot be copied: a copy has its own, and what this store remembers now.
        with self._lock:
            copied = MemoryReplayStore(self._max, clock=self._clock)
            copied._expiry = dict(self._expiry)
        return copied

    def add(self, fingerprint: str, ttl: float) -> bool:
        """Remember ``fingerprint`` for ``ttl`` seconds; return False if it is remembered already."""
        now = self._clock()
        with self._lock:
            expiry = self._expiry
            ends = expiry.get(fingerprint)
            if ends is not None:
                if ends > now:
                    return False
                del expiry[fingerprint]  # expired but not yet swept: remembered afresh, at the end
            while expiry:
                oldest = next(iter(expiry))
                if expiry[oldest] > now:
                    break
                del expiry[oldest]
            if len(expiry) >= self._max:
                del expiry[next(iter(expiry))]
                if not self._warned:
                    self._warned = True
                    _log.warning(
                        "svaml: the replay store is full (%d entries): the oldest requests make room;"
                        " raise max_entries, or share a RedisReplayStore",
                        self._max,
                        extra={"max_entries": self._max},
                    )
            expiry[fingerprint] = now + ttl
            return True


class _SetIfAbsent(Protocol):
    """What :class:`RedisReplayStore` needs of a client: redis-py's ``set`` (sync)."""

    def set(self, name: str, value: bytes, *, nx: bool, px: int) -> Any: ...


class RedisReplayStore:
    """Accepted requests remembered in Redis, shared by every instance of the application.

    Each request is one key, ``prefix`` + 32 hex digits of the SHA-256 of its :func:`fingerprint`
    (the signature never reaches Redis), set with ``SET key 1 NX PX ttl``:
    atomic, so of two instances that receive the same request at once exactly one accepts it,
    and Redis drops the key when the request leaves the window. ``client`` is a
    ``redis.Redis`` (or anything with its ``set``); :meth:`from_url` makes one. A Redis
    failure raises the client's own error (:func:`first_time` and verification turn it into
    :class:`~svaml.errors.ReplayStoreError`); :class:`~svaml.callbacks.CallbackApp` then
    answers 503 and logs it, refusing what it cannot check.
    """

    def __init__(self, client: _SetIfAbsent, *, prefix: str = "svaml:replay:") -> None:
        if not isinstance(prefix, str):
            raise SvamlTypeError(f"prefix must be a str, not {type(prefix).__name__}")
        self._client = client
        self._prefix = prefix

    @classmethod
    def from_url(cls, url: str, *, prefix: str = "svaml:replay:", **options: Any) -> RedisReplayStore:
        """Connect to Redis at ``url`` (``redis://host:6379/0``); ``options`` go to ``redis.Redis.from_url``.

        Sets short socket timeouts unless ``options`` say otherwise: a callback that waits on
        Redis keeps Sinch waiting.
        """
        try:
            import redis
        except ImportError as exc:
            raise ImportError(
                "svaml.replay.RedisReplayStore needs redis-py: pip install 'svaml[redis]'"
            ) from exc
        options.setdefault("socket_timeout", 1.0)
        options.setdefault("socket_connect_timeout", 1.0)
        client: redis.Redis = redis.Redis.from_url(url, **options)
        return cls(client, prefix=prefix)

    @property
    def prefix(self) -> str:
        """What every key of this store starts with."""
        return self._prefix

    def __repr__(self) -> str:
        return f"RedisReplayStore({self._client!r}, prefix={self._prefix!r})"

    def add(self, fingerprint: str, ttl: float) -> bool:
        """Set the key if absent, expiring after ``ttl`` seconds; return whether it was set."""
        milliseconds = max(1, math.ceil(ttl * 1000))
        digest = hashlib.sha256(fingerprint.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        return bool(self._client.set(self._prefix + digest, b"1", nx=True, px=milliseconds))
