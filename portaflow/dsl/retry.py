"""Retry policy of a step: explicit, bounded defaults that every compile target reproduces."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import cast

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


@dataclass(frozen=True)
class RetryPolicy:
    """How a failed step attempt is retried.

    ``max_attempts`` counts every attempt, the first included (Temporal's meaning, so 1 = never retry).
    The delay before attempt n+1 is ``min(initial_interval * backoff ** (n - 1), max_interval)``;
    ``max_interval`` defaults to 60 s, or to ``initial_interval`` when that is longer.
    Errors named in ``non_retryable`` (classes or class names, matched against every class in the
    error's MRO) fail the step at once. ``retry_on`` is the opposite list: when given, only the errors it
    names are retried (rate limits, timeouts) and every other error fails the step at once; the two may not
    be given together.
    """

    max_attempts: int = 3
    initial_interval: Duration = 1.0
    backoff: float = 2.0
    max_interval: Duration | None = None
    non_retryable: Iterable[type[BaseException] | str] = field(default_factory=tuple)
    retry_on: Iterable[type[BaseException] | str] = field(default_factory=tuple)

    def __post_init__(self) -> None:
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

    def delay_after(self, attempt: int) -> float:
        """Seconds to wait after failed attempt ``attempt`` (1-based) before the next one."""
        return min(self.initial_seconds * self.backoff ** (attempt - 1), self.max_seconds)

    def is_retryable(self, error: BaseException) -> bool:
        names = {cls.__name__ for cls in type(error).__mro__}
        if self.retry_on:
            return bool(names.intersection(str(n) for n in self.retry_on))
        return not names.intersection(self.non_retryable_names)


DEFAULT_RETRY = RetryPolicy()
