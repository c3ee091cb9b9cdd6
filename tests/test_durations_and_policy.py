"""Durations and retry policies: one grammar, explicit bounded defaults."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portaflow import RetryPolicy
from portaflow.dsl import format_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("250ms", 0.25),
        ("30s", 30),
        ("5m", 300),
        ("2h", 7200),
        ("3d", 259200),
        ("1h30m", 5400),
        ("1.5s", 1.5),
        (" 2m ", 120),
        (10, 10.0),
        (0.5, 0.5),
        (timedelta(minutes=2), 120.0),
    ],
)
def test_durations_accept_the_documented_forms(text: object, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "bad", ["", "abc", "5 minutes", "3w", "m5", "-1s", -1, float("nan"), True, None, [1]]
)
def test_bad_durations_are_rejected_with_the_accepted_forms(bad: object) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(bad)  # type: ignore[arg-type]


def test_durations_format_for_people() -> None:
    assert [format_duration(s) for s in (0.25, 2, 90, 3600, 86400 * 3, 5400)] == [
        "250ms",
        "2s",
        "1m30s",
        "1h",
        "3d",
        "1h30m",
    ]


def test_retry_defaults_are_explicit_and_bounded() -> None:
    policy = RetryPolicy()
    assert (policy.max_attempts, policy.initial_seconds, policy.backoff, policy.max_seconds) == (
        3,
        1.0,
        2.0,
        60.0,
    )
    assert policy.non_retryable_names == ()


def test_delay_before_attempt_n_plus_1_is_capped_exponential() -> None:
    policy = RetryPolicy(max_attempts=6, initial_interval="2s", backoff=3, max_interval="1m")
    assert [policy.delay_after(n) for n in range(1, 6)] == [2, 6, 18, 54, 60]


def test_non_retryable_accepts_classes_and_names_and_matches_subclasses() -> None:
    class Declined(ValueError):
        pass

    policy = RetryPolicy(non_retryable=[ValueError, "PermissionError"])
    assert policy.non_retryable_names == ("ValueError", "PermissionError")
    assert not policy.is_retryable(Declined("x"))
    assert not policy.is_retryable(PermissionError("x"))
    assert policy.is_retryable(ConnectionError("x"))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_attempts": 0},
        {"max_attempts": 1.5},
        {"backoff": 0.5},
        {"initial_interval": "nope"},
        {"initial_interval": "2m", "max_interval": "1m"},
        {"non_retryable": [42]},
        {"non_retryable": ["not a name"]},
    ],
)
def test_invalid_policies_fail_at_definition(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        RetryPolicy(**kwargs)  # type: ignore[arg-type]


def test_a_long_initial_interval_raises_the_default_cap_to_itself() -> None:
    policy = RetryPolicy(initial_interval="2m")
    assert policy.max_seconds == 120.0
    assert [policy.delay_after(n) for n in (1, 2)] == [120.0, 120.0]


def test_retry_on_retries_only_the_listed_errors_and_their_subclasses() -> None:
    from portaflow import RetryPolicy

    class RateLimited(Exception):
        pass

    class SlowDown(RateLimited):
        pass

    policy = RetryPolicy(retry_on=[RateLimited, "TimeoutError"])
    assert policy.is_retryable(SlowDown()) and policy.is_retryable(TimeoutError())
    assert not policy.is_retryable(ValueError())
    with pytest.raises(ValueError, match=r"non_retryable .* or retry_on .*, not both"):
        RetryPolicy(non_retryable=[ValueError], retry_on=[RateLimited])
