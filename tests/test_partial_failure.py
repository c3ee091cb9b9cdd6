"""Fan-outs that continue with what succeeded: ``return_exceptions`` and tolerated failures of ctx.map and
ctx.parallel on the local engine (docs/semantics.md, "Partial failure")."""

from __future__ import annotations

from typing import Any

import pytest

from portaflow import (
    Context,
    RetryPolicy,
    StepFailed,
    TooManyFailures,
    WorkflowError,
    WorkflowFailed,
    step,
    workflow,
)
from portaflow.dsl.fanout import Tolerance, tolerance
from portaflow.local_engine import Engine


class Rejected(Exception):
    pass


@step(retry=RetryPolicy(max_attempts=3, non_retryable=[Rejected]))
def judge(x: int) -> int:
    if x < 0:
        raise Rejected(f"negative {x}")
    if x == 0:
        raise ValueError("zero")
    return x * 10


@workflow
def gathered(ctx: Context, xs: list[int]) -> list[Any]:
    out: list[Any] = []
    for r in ctx.map(judge, xs, return_exceptions=True):
        if isinstance(r, StepFailed):
            out.append([r.type, r.message, r.step, r.attempts, isinstance(r, Rejected), str(r)])
        else:
            out.append(r)
    return out


def test_return_exceptions_puts_each_failure_in_its_place(portaflow_engine: Engine) -> None:
    out = portaflow_engine.start(gathered, {"xs": [1, -2, 0, 4]}).result()
    assert out == [
        10,
        ["Rejected", "negative -2", "judge", 1, True, "negative -2"],
        ["ValueError", "zero", "judge", 3, False, "zero"],
        40,
    ]


@workflow
def tolerant(ctx: Context, xs: list[int], n: int | None, pct: float | None) -> Any:
    try:
        rs = ctx.map(judge, xs, tolerated_failures=n, tolerated_failure_percentage=pct)
    except TooManyFailures as e:
        return {"error": str(e), "failed": e.failed, "total": e.total, "first": e.first}
    return [r for r in rs if not isinstance(r, Exception)]


@pytest.mark.parametrize(
    ("xs", "n", "pct", "expected"),
    [
        ([1, -1, 2], 1, None, [10, 20]),
        ([1, -1, 2, -3], 2, None, [10, 20]),
        ([1, -1, 2, -3], None, 50, [10, 20]),  # 2 of 4 is 50%: within
        ([1, 2, 3, 4, 5, 6, 7], 0, None, [10, 20, 30, 40, 50, 60, 70]),
        ([], 0, 0, []),
    ],
)
def test_failures_within_the_tolerance_return_the_outcomes(
    portaflow_engine: Engine, xs: list[int], n: int | None, pct: float | None, expected: Any
) -> None:
    assert portaflow_engine.start(tolerant, {"xs": xs, "n": n, "pct": pct}).result() == expected


@pytest.mark.parametrize(
    ("xs", "n", "pct", "message"),
    [
        ([1, -1, -2], 1, None, "2 of 3 items failed (tolerated: 1); first: item 1: Rejected: negative -1"),
        ([-1, 2, 3], None, 33, "1 of 3 items failed (tolerated: 33%); first: item 0: Rejected: negative -1"),
        ([5, 0, -4, 6], 5, 25, "2 of 4 items failed (tolerated: 5 or 25%); first: item 1: ValueError: zero"),
    ],
)
def test_failures_beyond_the_tolerance_raise_too_many_failures(
    portaflow_engine: Engine, xs: list[int], n: int | None, pct: float | None, message: str
) -> None:
    out = portaflow_engine.start(tolerant, {"xs": xs, "n": n, "pct": pct}).result()
    assert out["error"] == message and out["total"] == len(xs)


@workflow
def branches(ctx: Context, tolerate: int | None) -> list[str]:
    def boom() -> int:
        raise KeyError("k")

    rs = ctx.parallel(
        lambda: judge(1), boom, lambda: judge(-5), return_exceptions=True, tolerated_failures=tolerate
    )
    return [f"{type(r).__name__}:{r}" if isinstance(r, Exception) else str(r) for r in rs]


def test_a_parallel_branch_s_place_holds_the_exception_it_raised(portaflow_engine: Engine) -> None:
    assert portaflow_engine.start(branches, {"tolerate": None}).result() == [
        "10",
        "KeyError:'k'",
        "Rejected:negative -5",
    ]


def test_an_uncaught_too_many_failures_fails_the_run_with_its_message(portaflow_engine: Engine) -> None:
    with pytest.raises(WorkflowFailed) as info:
        portaflow_engine.start(branches, {"tolerate": 1}).result()
    assert info.value.type == "TooManyFailures"
    assert info.value.message == "2 of 3 branches failed (tolerated: 1); first: branch 1: KeyError: 'k'"


@workflow
def default_raises(ctx: Context) -> Any:
    return ctx.map(judge, [1, 0, -1])


def test_by_default_the_lowest_index_failure_is_raised(portaflow_engine: Engine) -> None:
    with pytest.raises(WorkflowFailed) as info:
        portaflow_engine.start(default_raises).result()
    assert (info.value.type, info.value.message) == ("ValueError", "zero")


@workflow
def returns_an_exception(ctx: Context) -> Any:
    return ctx.map(judge, [-1], return_exceptions=True)


@workflow
def passes_an_exception(ctx: Context) -> Any:
    rs = ctx.map(judge, [-1], return_exceptions=True)
    return judge(rs[0])


@pytest.mark.parametrize(
    ("wf", "error"),
    [
        (returns_an_exception, ("TypeError", "the result of workflow 'returns_an_exception'")),
        (passes_an_exception, ("WorkflowError", "the arguments of step 'judge'")),
    ],
)
def test_an_exception_item_is_not_json_as_any_other_object(
    portaflow_engine: Engine, wf: Any, error: tuple[str, str]
) -> None:
    with pytest.raises(WorkflowFailed) as info:
        portaflow_engine.start(wf).result()
    assert info.value.type == error[0]
    assert info.value.message == (
        f"{error[1]} must be a JSON value (dict, list, str, number, bool, None): "
        "Object of type Rejected is not JSON serializable"
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"return_exceptions": 1}, "ctx.map return_exceptions must be True or False, not 1"),
        ({"tolerated_failures": -1}, "ctx.map tolerated_failures must be an integer >= 0 (a count), not -1"),
        (
            {"tolerated_failures": 1.5},
            "ctx.map tolerated_failures must be an integer >= 0 (a count), not 1.5",
        ),
        (
            {"tolerated_failures": True},
            "ctx.map tolerated_failures must be an integer >= 0 (a count), not True",
        ),
        (
            {"tolerated_failure_percentage": 101},
            "ctx.map tolerated_failure_percentage must be a number from 0 to 100 (a percentage), not 101",
        ),
        (
            {"tolerated_failure_percentage": float("nan")},
            "ctx.map tolerated_failure_percentage must be a number from 0 to 100 (a percentage), not nan",
        ),
        (
            {"tolerated_failure_percentage": "10%"},
            "ctx.map tolerated_failure_percentage must be a number from 0 to 100 (a percentage), not '10%'",
        ),
    ],
)
def test_bad_arguments_are_one_workflow_error(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(WorkflowError) as info:
        tolerance("ctx.map", **kwargs)
    assert str(info.value) == message


@workflow
def bad_parallel(ctx: Context) -> Any:
    return ctx.parallel(lambda: judge(1), tolerated_failures="2")


def test_a_bad_argument_fails_the_run_before_any_branch_runs(portaflow_engine: Engine) -> None:
    run = portaflow_engine.start(bad_parallel)
    with pytest.raises(WorkflowFailed) as info:
        run.result()
    assert info.value.message == "ctx.parallel tolerated_failures must be an integer >= 0 (a count), not '2'"
    assert not [e for e in portaflow_engine.history(run.run_id) if e.kind == "step_started"]


def test_the_tolerance_is_compared_exactly_without_rounding() -> None:
    assert not Tolerance(percentage=25).exceeded(1, 4) and Tolerance(percentage=25).exceeded(2, 5)
    assert Tolerance(percentage=0).exceeded(1, 1000) and not Tolerance(percentage=0).exceeded(0, 0)
    assert Tolerance(count=1, percentage=90).exceeded(2, 10)  # either bound
    assert Tolerance(count=9, percentage=10).exceeded(2, 10)


CALLS: list[int] = []


@step(retry=RetryPolicy(max_attempts=1))
def counted(x: int) -> int:
    CALLS.append(x)
    if x < 0:
        raise Rejected(f"negative {x}")
    return x


@workflow
def gathered_then_wait(ctx: Context) -> list[Any]:
    rs = ctx.map(counted, [3, -3], return_exceptions=True)
    ctx.wait_for_event("go")
    return [[type(r).__name__, r.type, r.attempts] if isinstance(r, StepFailed) else r for r in rs]


def test_a_replay_rebuilds_the_same_outcomes_from_the_history(db_path: Any) -> None:
    CALLS.clear()
    with Engine(db_path) as e1:
        e1.start(gathered_then_wait, run_id="g")
    with Engine(db_path, workflows=[gathered_then_wait]) as e2:  # a new engine replays the map
        assert e2.signal("g", "go").output == [3, ["Rejected", "Rejected", 1]]
    assert sorted(CALLS) == [-3, 3]  # each item ran once
