"""The exceptions svaml raises.

Every exception svaml raises on purpose derives from one root, so ``except svaml.SvamlError``
catches them all::

    SvamlError                  a document, event, request or answer svaml cannot accept;
    │                           .problems holds the Diagnostics that say where and why
    ├── SvamlTypeError          a value of the wrong type given to a model class (also a TypeError)
    ├── EventError              a callback body that is not a Sinch Voice event
    ├── ReplayStoreError        the replay store could not be asked (Redis down): nothing decided
    ├── SignatureError          a callback whose signature does not verify
    │   └── ReplayError         a signed callback already accepted once within the replay window
    └── SinchError              a REST call to Sinch Voice that did not succeed
        ├── ApiError            Sinch answered with an error status (status, error_code, reference)
        │   └── RateLimitedError    429 or 503 after the retries allowed
        └── TransportError      no answer: connection refused or reset, bad response body
            └── SinchTimeoutError   no answer in time (also a builtin TimeoutError)

Validation itself never raises: :func:`svaml.validate` returns diagnostics as data.
"""

from __future__ import annotations

import builtins
import warnings
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from svaml.diagnostic import Diagnostic

__all__ = [
    "ApiError",
    "EventError",
    "RateLimitedError",
    "ReplayError",
    "ReplayStoreError",
    "SignatureError",
    "SinchError",
    "SinchTimeoutError",
    "SvamlError",
    "SvamlTypeError",
    "TransportError",
]


class SvamlError(Exception):
    """A document, event, request or answer that svaml cannot accept.

    ``problems`` lists every :class:`~svaml.diagnostic.Diagnostic` found (it may be empty for
    errors that are not about a document, such as a network failure).
    """

    def __init__(self, message: str, problems: Iterable[Diagnostic] = ()) -> None:
        self.problems: tuple[Diagnostic, ...] = tuple(problems)
        if self.problems:
            message = message + "\n" + _listed(self.problems)
        super().__init__(message)


#: How many problems an error's message lists one by one; the rest are counted by code.
_SHOWN_PROBLEMS = 20


def _listed(problems: tuple[Diagnostic, ...]) -> str:
    """List the problems, one a line; past _SHOWN_PROBLEMS, count the rest by code.

    A body with 120,000 bad items must not make a 7 MB message (nor log line).
    """
    lines = ["  " + p.describe() for p in problems[:_SHOWN_PROBLEMS]]
    rest = problems[_SHOWN_PROBLEMS:]
    if rest:
        counts = Counter(p.code for p in rest).most_common()
        codes = ", ".join(f"{code}: {count:,}" for code, count in counts[:5])
        if len(counts) > 5:
            codes += f", {len(counts) - 5} more codes"
        lines.append(f"  … and {len(rest):,} more ({codes})")
    return "\n".join(lines)


class SvamlTypeError(SvamlError, TypeError):
    """A value of the wrong type given to a model class or a builder method."""


class EventError(SvamlError):
    """A callback body that is not a Sinch Voice event (not JSON, no or unknown ``event``).

    ``data`` is the decoded body when it was JSON but not an event that reads (a v2 event
    without its ``call``, say), so that nothing Sinch sent is lost; None otherwise.
    """

    def __init__(self, message: str, problems: Iterable[Diagnostic] = (), *, data: Any = None) -> None:
        super().__init__(message, problems)
        self.data = data


class SignatureError(SvamlError):
    """A callback request whose signature does not verify; the message says why, never the secret."""


class ReplayError(SignatureError):
    """A signed callback that was already accepted once: same key, timestamp and signature.

    Raised only within the replay window (a request outside it fails as too old first).
    """


class ReplayStoreError(SvamlError):
    """The replay store could not say whether a request was seen (Redis down, a timeout).

    Nothing was decided: a callback application answers 503 rather than accept unchecked. The
    store's own error is the ``__cause__``.
    """


class SinchError(SvamlError):
    """A REST call to Sinch Voice that did not succeed."""


class ApiError(SinchError):
    """Sinch answered with an error status.

    ``status`` is the HTTP status, ``error_code`` Sinch's ``errorCode`` as an integer (Sinch's
    schema says a string of digits, its examples and servers send a number: both read as the
    same ``int``; None when absent or not a number, and ``body`` keeps what was sent),
    ``reference`` the id Sinch support asks for.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int,
        error_code: int | None = None,
        reference: str | None = None,
        body: str = "",
    ) -> None:
        self.status = status
        self.error_code = error_code
        self.reference = reference
        self.body = body
        detail = f"HTTP {status}"
        if error_code is not None:
            detail += f", errorCode {error_code}"
        if reference:
            detail += f", reference {reference}"
        super().__init__(f"{message} ({detail})")


class RateLimitedError(ApiError):
    """Sinch answered 429 or 503 and no retry was allowed or left; ``retry_after`` in seconds."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: object) -> None:
        self.retry_after = retry_after
        super().__init__(message, **kwargs)  # type: ignore[arg-type]


class TransportError(SinchError):
    """The request got no usable answer: connection refused or reset, or a body that is not JSON."""


class SinchTimeoutError(TransportError, builtins.TimeoutError):
    """No answer within the client's timeout or deadline.

    Also a builtin :class:`TimeoutError`, so ``except TimeoutError`` catches it too; named apart
    from the builtin so that importing it shadows nothing.
    """


def __getattr__(name: str) -> type[SinchTimeoutError]:
    # 0.1.0 named it TimeoutError, shadowing the builtin wherever it was imported: kept, deprecated.
    if name == "TimeoutError":
        warnings.warn(
            "svaml.errors.TimeoutError is deprecated: use svaml.errors.SinchTimeoutError (the same class),"
            " which shadows no builtin",
            DeprecationWarning,
            stacklevel=2,
        )
        return SinchTimeoutError
    raise AttributeError(f"module 'svaml.errors' has no attribute {name!r}")
