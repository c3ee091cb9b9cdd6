"""The offline AWS harness as a user sees it: the pytest fixture, events through the events function and
DynamoDB, virtual time for waits, retries and event timeouts, failures with the error's type and message."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from portaflow.backends.aws.offline.harness import AwsHarness
from portaflow.compiler.diagnostics import CompileError

pytest.importorskip("moto")

APP = """
from portaflow import Context, RetryPolicy, step, workflow

@step(retry=RetryPolicy(max_attempts=3, initial_interval="10s", backoff=3.0))
def charge(order_id: str, amount: float, idempotency_key: str) -> dict:
    return {"order": order_id, "charged": amount, "key": idempotency_key}

@workflow
def refund(ctx: Context, order_id: str, amount: float) -> dict:
    decision = ctx.wait_for_event("approval", timeout="2d")
    if decision is None:
        return {"status": "expired"}
    if not decision["approved"]:
        raise PermissionError(f"refund of {order_id} rejected")
    receipt = charge(order_id, amount)
    ctx.sleep("1h")
    return {"status": "refunded", "receipt": receipt}
"""


@pytest.fixture
def app(tmp_path: Path) -> Path:
    p = tmp_path / "app.py"
    p.write_text(APP)
    return p


def test_a_run_waits_then_an_event_resumes_it(portaflow_aws: Callable[..., AwsHarness], app: Path) -> None:
    aws = portaflow_aws(app)
    run = aws.start({"order_id": "o1", "amount": 12.5}, run_id="order-1")
    assert run.status == "waiting"
    run.signal("approval", {"approved": True})
    assert run.status == "completed"
    receipt = {"order": "o1", "charged": 12.5, "key": "order-1:0"}
    assert run.output == {"status": "refunded", "receipt": receipt}
    assert [(c.step, c.key, c.attempt) for c in run.calls] == [("charge", "order-1:0", 1)]
    assert run.sleeps == [3600.0]


def test_an_event_sent_before_the_wait_is_buffered_and_delivered_once(
    portaflow_aws: Callable[..., AwsHarness], app: Path
) -> None:
    aws = portaflow_aws(app)
    run = aws.start({"order_id": "o2", "amount": 1.0}, run_id="order-2")
    run.signal("approval", {"approved": True})
    assert run.status == "completed"
    # an event for a run that does not wait (yet) stays in the DynamoDB buffer
    aws.signal("order-2", "approval", {"approved": False})
    item = aws.ddb.get_item(TableName="pf-events", Key={"pk": {"S": "order-2#approval"}})["Item"]
    assert item["buffer"]["S"] == '[{"approved": false}]'


def test_the_wait_times_out_on_virtual_time(portaflow_aws: Callable[..., AwsHarness], app: Path) -> None:
    aws = portaflow_aws(app)
    run = aws.start({"order_id": "o3", "amount": 1.0}, run_id="order-3")
    aws.advance("1d")
    assert run.status == "waiting"
    aws.advance("1d")
    assert run.status == "completed" and run.output == {"status": "expired"}


def test_a_raise_fails_the_run_with_type_and_message(
    portaflow_aws: Callable[..., AwsHarness], app: Path
) -> None:
    aws = portaflow_aws(app)
    run = aws.start({"order_id": "o4", "amount": 1.0}, run_id="order-4")
    run.signal("approval", {"approved": False})
    assert run.status == "failed"
    assert run.error == {"type": "PermissionError", "message": "refund of o4 rejected"}


def test_bad_input_fails_before_anything_runs(portaflow_aws: Callable[..., AwsHarness], app: Path) -> None:
    aws = portaflow_aws(app)
    run = aws.start({"order_id": "o5", "amont": 1.0}, run_id="order-5")
    assert run.status == "failed" and run.error is not None
    assert run.error["type"] == "InvalidInput" and "amont" in run.error["message"]
    assert run.calls == []


def test_a_workflow_the_target_cannot_express_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "fast.py"
    p.write_text(
        "from portaflow import Context, RetryPolicy, step, workflow\n\n"
        "@step(retry=RetryPolicy(initial_interval='250ms'))\ndef s() -> int:\n    return 1\n\n"
        "@workflow\ndef w(ctx: Context) -> int:\n    return s()\n"
    )
    with pytest.raises(CompileError, match=r"PFC040 step 's' retry initial_interval is 0\.25s"):
        AwsHarness(p)


def test_the_runtime_names_a_step_error_for_retry_and_carries_its_mro() -> None:
    """What the Lambda runtime reports: the class is the first MRO name the non-retryable retrier lists
    (else the error's own), the message a JSON object with the original type, message and MRO."""
    import json

    from portaflow.backends.aws.runtime import portaflow_aws_runtime as runtime

    class Declined(ValueError):
        pass

    def charge(amount: int) -> int:
        raise Declined(f"declined {amount}")

    for non_retryable, name in (([], "Declined"), (["ValueError"], "ValueError"), (["Declined"], "Declined")):
        event = {"args": {"amount": 3}, "non_retryable": non_retryable}
        with pytest.raises(runtime.StepError) as info:
            runtime.handle_step(charge, event)
        assert type(info.value).__name__ == name
        body = json.loads(str(info.value))
        assert body == {
            "portaflow_error": 1,
            "type": "Declined",
            "message": "declined 3",
            "mro": ["Declined", "ValueError", "Exception", "BaseException"],
        }
        assert isinstance(info.value.__cause__, Declined)


EXPRESSIONS = """
from portaflow import Context, step, workflow

@step
def load(n: int) -> dict:
    return {"a": n}

@step
def use(value: int) -> int:
    return value

@workflow
def exprs(ctx: Context, n: int, key: str = "a") -> int:
    d = load(n)
    try:
        use(d["missing"])
    except KeyError as e:
        use(len(str(e)))
    return d[key]
"""


def test_an_expression_error_is_caught_and_an_uncaught_one_fails_the_run_with_its_type(
    portaflow_aws: Callable[..., AwsHarness], tmp_path: Path
) -> None:
    p = tmp_path / "exprs.py"
    p.write_text(EXPRESSIONS)
    aws = portaflow_aws(p)
    ok = aws.start({"n": 4}, run_id="e1")
    assert (ok.status, ok.output) == ("completed", 4)
    # the step whose argument failed is neither called nor retried; the handler's step gets len("'missing'")
    assert [(c.step, c.args, c.attempt) for c in ok.calls] == [
        ("load", {"n": 4}, 1),
        ("use", {"value": 9}, 1),
    ]
    assert aws.clock == 0.0  # no retry delay either
    failed = aws.start({"n": 4, "key": "b"}, run_id="e2")
    assert failed.status == "failed"
    assert failed.error == {"type": "KeyError", "message": "'b'"}
    history = [e["type"] for e in failed.history()]
    assert "EvaluationFailed" in history  # the state failed with States.QueryEvaluationError, as on AWS


BUSY_BRANCH = """
from portaflow import Context, step, workflow

@step
def record(total: int) -> int:
    return total

@workflow
def busy_branch(ctx: Context, n: int) -> dict:
    def waits():
        return ctx.wait_for_event("go", timeout="1h")

    def computes():
        total = 0
        for i in range(n):
            total = total + i * i
        return record(total)

    got, total = ctx.parallel(waits, computes)
    return {"got": got, "total": total}
"""


def test_a_run_waits_only_once_every_branch_is_parked(
    portaflow_aws: Callable[..., AwsHarness], tmp_path: Path
) -> None:
    """One branch parks in the event wait at once; the other computes for a while (many states, no Lambda
    invoke in flight) and then calls a step: ``start`` returns "waiting" only after that, whatever the
    machine's load (the harness knows where every interpreter thread is, it does not time them)."""
    p = tmp_path / "busy.py"
    p.write_text(BUSY_BRANCH)
    aws = portaflow_aws(p)
    run = aws.start({"n": 12}, run_id="busy-1")
    assert (run.status, run.waiting_for) == ("waiting", "go")
    assert [(c.step, c.args) for c in run.calls] == [("record", {"total": 506})]
    aws.advance("30m")  # before the timeout: still parked
    assert run.status == "waiting" and len(run.calls) == 1
    run.signal("go", {"ok": True})
    assert run.status == "completed" and run.output == {"got": {"ok": True}, "total": 506}


MAP_FAILS = """
from portaflow import Context, RetryPolicy, step, workflow

@step(retry=RetryPolicy(max_attempts=2, initial_interval="1s", backoff=3.0))
def process(n: int) -> int:
    raise ArithmeticError(f"cannot process {n}")

@workflow
def batch(ctx: Context, items: list) -> str:
    try:
        ctx.map(process, items)
    except ArithmeticError as e:
        return str(e)
    return "done"
"""


def test_iterations_retrying_at_once_keep_their_own_attempt_counts(
    portaflow_aws: Callable[..., AwsHarness], tmp_path: Path
) -> None:
    """moto names a retrier's attempt counter lazily and without a lock; a slow name generator makes
    every iteration race for it. Each iteration must still make exactly max_attempts attempts, with its
    own delays."""
    import time
    from unittest import mock

    from moto.stepfunctions.parser.asl.component import eval_component

    real = eval_component.long_uid

    def slow_uid() -> str:
        time.sleep(0.01)  # lets the other iterations' threads in
        return real()

    p = tmp_path / "fails.py"
    p.write_text(MAP_FAILS)
    aws = portaflow_aws(p)
    with mock.patch.object(eval_component, "long_uid", slow_uid):
        run = aws.start({"items": [0, 1, 2, 3]}, run_id="fails-1")
    assert run.status == "completed" and run.output == "cannot process 0"
    per_item = sorted((c.args["n"], c.attempt, c.delay) for c in run.calls)
    assert per_item == [(n, a, 1.0 if a == 1 else None) for n in range(4) for a in (1, 2)]


def test_a_short_event_timeout_waits_for_virtual_time_not_the_clock(
    portaflow_aws: Callable[..., AwsHarness], tmp_path: Path
) -> None:
    import time

    p = tmp_path / "short.py"
    p.write_text(
        "from portaflow import Context, workflow\n\n@workflow\ndef short(ctx: Context) -> dict:\n"
        '    got = ctx.wait_for_event("go", timeout="1s")\n    return {"got": got}\n'
    )
    aws = portaflow_aws(p)
    run = aws.start({}, run_id="short-1")
    time.sleep(1.5)  # moto would bound the Task by its TimeoutSeconds on the wall clock
    aws.advance(0.5)
    assert run.status == "waiting"
    aws.advance(0.5)
    assert run.status == "completed" and run.output == {"got": None}


UNMODELLED = """
from portaflow import Context, step, workflow

@step
def load() -> object:
    return "not a number"

@workflow
def unmodelled(ctx: Context) -> str:
    x = load()
    return "abc"[x:]
"""


def test_a_jsonata_failure_the_lowering_does_not_model_fails_the_run_with_a_one_line_message(
    portaflow_aws: Callable[..., AwsHarness], tmp_path: Path
) -> None:
    """Its Cause quotes the whole generated expression: the run's error keeps only JSONata's reason."""
    p = tmp_path / "unmodelled.py"
    p.write_text(UNMODELLED)
    run = portaflow_aws(p).start({}, run_id="u1")
    assert run.status == "failed" and run.error is not None
    assert run.error["type"] == "QueryEvaluationError"
    message = run.error["message"]
    assert "\n" not in message and "JSONata expression" not in message and len(message) < 300, message


def test_the_events_function_sleeps_a_jittered_delays_fraction_and_returns_its_whole_seconds() -> None:
    """A Wait counts whole seconds: the events function waits the rest itself, so the total is exact."""
    from portaflow.backends.aws.runtime.portaflow_aws_runtime import retry_delay
    from portaflow.dsl.retry import jittered

    slept: list[float] = []
    event = {"action": "jitter", "key": "run-1:0", "attempt": 2, "delay": 4.0, "jitter": 1.0}
    whole = retry_delay(event, sleep=slept.append)
    exact = jittered(4.0, 1.0, "run-1:0", 2)
    assert whole == int(exact) and abs(whole + sum(slept) - exact) < 1e-9
    assert 0 <= sum(slept) < 1
