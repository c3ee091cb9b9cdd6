"""Retry policy of a step: explicit, bounded defaults that every compile target reproduces."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal, cast

from portaflow.dsl.durations import Duration, parse_duration


def _error_name(err: type[BaseException] | str) -> str:
    if isinstance(err, str):
        if not err.isidentifier():
            raise ValueError(f"non_retryable/retry_on entry {err!r} is not an exception class name")
        return err
    if isinstance(err, type) and issubclass(err, BaseException):
        return err.__name__
    raise ValueError(f"non_retryable/retry_on entries must be exception classes or class names, not {err!r}")


DEFAULT_MAX_INTERVAL = 60.0  # seconds; a longer initial_interval raises the cap to itself


def jitter_fraction(jitter: object) -> float | None:
    """``RetryPolicy.jitter`` as the fraction of the delay that is random: None, 1.0 for ``"full"``, or
    the number itself; anything else is one clear ValueError."""
    if jitter is None:
        return None
    if jitter == "full":
        return 1.0
    if isinstance(jitter, int | float) and not isinstance(jitter, bool) and 0 < jitter <= 1:
        return float(jitter)
    raise ValueError(
        f'RetryPolicy.jitter must be None, "full" or a fraction of the delay in (0, 1], not {jitter!r}'
    )


def jitter_unit(key: str, attempt: int) -> float:
    """The random factor of a retry delay, in [0, 1): the first 52 bits of ``sha256("KEY:ATTEMPT")``
    over 2**52. Derived from the step call's idempotency key and the failed attempt's number, so every
    replay and every target computes the same one (docs/semantics.md, "Retries")."""
    digest = hashlib.sha256(f"{key}:{attempt}".encode()).digest()
    return (int.from_bytes(digest[:7], "big") >> 4) / 2**52


def jittered(delay: float, fraction: float | None, key: str, attempt: int) -> float:
    """``delay`` with ``fraction`` of it random: ``floor(delay * (1 - fraction * (1 - u)) * 1000) / 1000``
    seconds (whole milliseconds, which every target's timer can express), ``u = jitter_unit(key, attempt)``;
    the delay itself without jitter."""
    if fraction is None:
        return delay
    return math.floor(delay * (1 - fraction * (1 - jitter_unit(key, attempt))) * 1000) / 1000


@dataclass(frozen=True)
class RetryPolicy:
    """How a failed step attempt is retried.

    ``max_attempts`` counts every attempt, the first included (Temporal's meaning, so 1 = never retry).
    The delay before attempt n+1 is ``min(initial_interval * backoff ** (n - 1), max_interval)``;
    ``max_interval`` defaults to 60 s, or to ``initial_interval`` when that is longer.
    Errors named in ``non_retryable`` (classes or class names, matched against every class in the
    error's MRO) fail the step at once. ``retry_on`` is the opposite list: when given, only the errors it
    names are retried (rate limits, timeouts) and every other error fails the step at once; the two may not
    be given together. ``jitter`` (``"full"`` or a fraction f in (0, 1]) makes a random part of each delay:
    it is drawn from ``[delay * (1 - f), delay)``, deterministically from the step call's key and the
    attempt (:func:`jittered`), so a replay and every target wait the same.
    """

    max_attempts: int = 3
    initial_interval: Duration = 1.0
    backoff: float = 2.0
    max_interval: Duration | None = None
    non_retryable: Iterable[type[BaseException] | str] = field(default_factory=tuple)
    retry_on: Iterable[type[BaseException] | str] = field(default_factory=tuple)
    jitter: Literal["full"] | float | None = None

    def __post_init__(self) -> None:
        jitter_fraction(self.jitter)  # validated here, one clear error
        if (
            isinstance(self.max_attempts, bool)
            or not isinstance(self.max_attempts, int)
            or self.max_attempts < 1
        ):
            raise ValueError(f"RetryPolicy.max_attempts must be an integer >= 1, not {self.max_attempts!r}")
        if isinstance(self.backoff, bool) or not isinstance(self.backoff, int | float) or self.backoff < 1:
            raise ValueError(f"RetryPolicy.backoff must be a number >= 1, not {self.backoff!r}")
        initial = parse_duration(self.initial_interval, what="RetryPolicy.initial_interval")
        maximum = (
            max(DEFAULT_MAX_INTERVAL, initial)
            if self.max_interval is None
            else parse_duration(self.max_interval, what="RetryPolicy.max_interval")
        )
        if maximum < initial:
            raise ValueError("RetryPolicy.max_interval must not be shorter than initial_interval")
        object.__setattr__(self, "initial_interval", initial)
        object.__setattr__(self, "max_interval", maximum)
        object.__setattr__(self, "backoff", float(self.backoff))
        object.__setattr__(self, "non_retryable", tuple(_error_name(e) for e in self.non_retryable))
        object.__setattr__(self, "retry_on", tuple(_error_name(e) for e in self.retry_on))
        if self.non_retryable and self.retry_on:
            raise ValueError(
                "RetryPolicy takes non_retryable (errors never retried) or retry_on (the only errors "
                "retried), not both"
            )

    @property
    def initial_seconds(self) -> float:
        return cast(float, self.initial_interval)  # normalised to seconds in __post_init__

    @property
    def max_seconds(self) -> float:
        return cast(float, self.max_interval)  # normalised to seconds in __post_init__

    @property
    def non_retryable_names(self) -> tuple[str, ...]:
        return tuple(str(n) for n in self.non_retryable)

    def delay_after(self, attempt: int, key: str | None = None) -> float:
        """Seconds to wait after failed attempt ``attempt`` (1-based) before the next one; with jitter, of
        the step call whose idempotency key is ``key``."""
        delay = min(self.initial_seconds * self.backoff ** (attempt - 1), self.max_seconds)
        fraction = jitter_fraction(self.jitter)
        if fraction is None:
            return delay
        if key is None:
            raise ValueError("a jittered retry delay needs the step call's idempotency key")
        return jittered(delay, fraction, key, attempt)

    def is_retryable(self, error: BaseException) -> bool:
        names = {cls.__name__ for cls in type(error).__mro__}
        if self.retry_on:
            return bool(names.intersection(str(n) for n in self.retry_on))
        return not names.intersection(self.non_retryable_names)


DEFAULT_RETRY = RetryPolicy()
