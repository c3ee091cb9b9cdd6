"""The step host serves a workflow's steps over signed HTTP, as docs/architecture.md ("The step host") says:
a signed call runs the step and answers its result or a typed error envelope; an unsigned, wrongly signed,
stale or replayed call is refused with 401 and the step does not run; an unknown key is 404, a body that
is not a call 400. The steps are those the compiler finds, keyed as the compiled program keys them."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from portaflow import step
from portaflow.cli import main as portaflow_main
from portaflow.dsl.decorators import Step
from portaflow.stephost import StepHostError, create_app, load_steps, signature
from portaflow.stephost.cli import main as stephost_main

ROOT = Path(__file__).resolve().parents[2]
SAGA = ROOT / "examples" / "refund_saga.py"
SECRET = "s3cret"
NOW = 1_800_000_000


class Host:
    """A step host on a fake clock, with steps that count their calls and what its observer saw."""

    def __init__(self) -> None:
        self.now = float(NOW)
        self.calls: list[str] = []
        self.observed: list[tuple[str, dict[str, Any], dict[str, Any]]] = []

        @step
        def add(a: int, b: int) -> int:
            self.calls.append("add")
            return a + b

        @step
        def charge(amount: float, idempotency_key: str) -> dict[str, Any]:
            self.calls.append("charge")
            return {"amount": amount, "key": idempotency_key}

        @step
        def refuse(order: str) -> None:
            self.calls.append("refuse")
            raise ValueError(f"cannot refund {order}")

        @step
        def pair(x: int) -> tuple[int, int]:
            return (x, x)

        steps: dict[str, Step[..., Any]] = {
            "add": add,
            "charge": charge,
            "refuse": refuse,
            "payments.pair": pair,
        }
        app = create_app(
            steps, SECRET, clock=lambda: self.now, observer=lambda *seen: self.observed.append(seen)
        )
        self.client = TestClient(app)

    def post(
        self,
        key: str,
        body: Any = None,
        *,
        raw: bytes | None = None,
        timestamp: int | str = NOW,
        sign: Callable[[str, int | str, bytes], str] | None = signature,
        secret: str = SECRET,
    ) -> Any:
        data = raw if raw is not None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        if sign is not None:
            headers["X-Portaflow-Timestamp"] = str(timestamp)
            headers["X-Portaflow-Signature"] = sign(secret, timestamp, data)
        return self.client.post(f"/steps/{key}", content=data, headers=headers)


def call(args: dict[str, Any], key: str = "r1:0", **extra: Any) -> dict[str, Any]:
    return {"args": args, "idempotency_key": key, "attempt": 1, "run_id": "r1", **extra}


@pytest.fixture
def host() -> Host:
    return Host()


# --------------------------------------------------------------------------------------- signed calls
def test_a_signed_call_runs_the_step_and_answers_its_result(host: Host) -> None:
    r = host.post("add", call({"a": 2, "b": 3}))
    assert r.status_code == 200
    assert r.json() == {"result": 5}
    assert host.calls == ["add"]


def test_the_idempotency_key_is_given_to_a_step_that_takes_one_and_declared_floats_stay_floats(
    host: Host,
) -> None:
    r = host.post("charge", call({"amount": 42}, key="r1:3"))
    assert r.status_code == 200
    assert r.json() == {"result": {"amount": 42.0, "key": "r1:3"}}
    assert isinstance(r.json()["result"]["amount"], float)


def test_the_result_is_what_a_json_round_trip_gives_and_dotted_keys_are_served(host: Host) -> None:
    assert host.post("payments.pair", call({"x": 4})).json() == {"result": [4, 4]}


def test_a_step_that_raises_answers_a_typed_envelope_with_its_mro(host: Host) -> None:
    r = host.post("refuse", call({"order": "A1"}))
    assert r.status_code == 200
    assert r.json() == {
        "error": {
            "type": "ValueError",
            "message": "cannot refund A1",
            "mro": ["ValueError", "Exception", "BaseException"],
        }
    }


def test_the_envelope_is_the_aws_lambda_runtimes_one_step_call_core(host: Host) -> None:
    from portaflow.backends.aws.runtime.portaflow_aws_runtime import step_error

    aws = json.loads(str(step_error(ValueError("cannot refund A1"))))
    del aws["portaflow_error"]
    assert host.post("refuse", call({"order": "A1"})).json() == {"error": aws}


def test_the_observer_sees_each_call_that_ran_with_its_body_and_envelope(host: Host) -> None:
    body = call({"a": 1, "b": 1})
    host.post("add", body)
    host.post("add", body, sign=None)  # refused: not observed
    assert host.observed == [("add", body, {"result": 2})]


def test_healthz_lists_the_steps(host: Host) -> None:
    r = host.client.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"ok": True, "steps": ["add", "charge", "payments.pair", "refuse"]}


# ------------------------------------------------------------------------------------------ refusals
def test_an_unsigned_call_is_refused_and_the_step_does_not_run(host: Host) -> None:
    r = host.post("add", call({"a": 2, "b": 3}), sign=None)
    assert r.status_code == 401
    assert "error" in r.json()
    assert host.calls == []


def test_a_call_signed_with_another_secret_is_refused(host: Host) -> None:
    r = host.post("add", call({"a": 2, "b": 3}), secret="guess")
    assert r.status_code == 401
    assert r.json() == {"error": "bad signature"}
    assert host.calls == []


def test_a_signature_of_another_body_is_refused(host: Host) -> None:
    def of_other_body(secret: str, ts: int | str, body: bytes) -> str:
        return signature(secret, ts, body.replace(b"3", b"4"))

    r = host.post("add", call({"a": 2, "b": 3}), sign=of_other_body)
    assert r.status_code == 401
    assert host.calls == []


@pytest.mark.parametrize("skew", [-301, 301])
def test_a_call_more_than_300_seconds_from_the_hosts_clock_is_refused(host: Host, skew: int) -> None:
    r = host.post("add", call({"a": 2, "b": 3}), timestamp=NOW + skew)
    assert r.status_code == 401
    assert "stale" in r.json()["error"]
    assert host.calls == []
    edge = NOW + (300 if skew > 0 else -300)  # at the window's edge: accepted
    assert host.post("add", call({"a": 2, "b": 3}), timestamp=edge).status_code == 200


def test_a_replayed_call_is_refused_the_second_time(host: Host) -> None:
    body = call({"a": 2, "b": 3})
    assert host.post("add", body).status_code == 200
    again = host.post("add", body)
    assert again.status_code == 401
    assert "replayed" in again.json()["error"]
    assert host.calls == ["add"]


def test_replay_memory_forgets_calls_once_they_leave_the_window(host: Host) -> None:
    for i in range(3):
        assert host.post("add", call({"a": i, "b": 0})).status_code == 200
    assert len(host.client.app.state.replays.seen) == 3  # type: ignore[attr-defined]
    host.now += 301  # those three are stale now (refused by the window): the next call forgets them
    assert host.post("add", call({"a": 9, "b": 0}), timestamp=NOW + 301).status_code == 200
    assert len(host.client.app.state.replays.seen) == 1  # type: ignore[attr-defined]


def test_an_unknown_step_key_is_404(host: Host) -> None:
    r = host.post("nope", call({}))
    assert r.status_code == 404
    assert "nope" in r.json()["error"]


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        (b"{not json", "not JSON"),
        (b"[1, 2]", "JSON object"),
        (b'{"args": [2, 3]}', '"args"'),
        (b'{"args": {"a": 2}}', "do not fit"),
        (b'{"args": {"a": 2, "b": 3, "c": 4}}', "do not fit"),
    ],
)
def test_a_body_that_is_not_a_call_of_the_step_is_400(host: Host, raw: bytes, why: str) -> None:
    r = host.post("add", raw=raw)
    assert r.status_code == 400
    assert why in r.json()["error"]
    assert host.calls == []


def test_a_step_that_takes_a_key_needs_one_in_the_body(host: Host) -> None:
    r = host.post("charge", {"args": {"amount": 1}})
    assert r.status_code == 400
    assert "idempotency_key" in r.json()["error"]


# ------------------------------------------------------------------------------------- finding steps
def test_the_steps_are_those_the_compiled_workflow_calls_keyed_as_the_program_keys_them(
    tmp_path: Path,
) -> None:
    (tmp_path / "billing.py").write_text(
        "from portaflow import step\n\n@step\ndef charge(n: int) -> int:\n    return n * 2\n"
    )
    (tmp_path / "flow.py").write_text(
        "from portaflow import Context, step, workflow\nfrom billing import charge\n\n"
        "@step\ndef unused() -> int:\n    return 0\n\n"
        "@step\ndef quote(n: int) -> int:\n    return n + 1\n\n"
        "@workflow\ndef w(ctx: Context, n: int) -> int:\n    q = quote(n)\n    return charge(q)\n"
    )
    steps = load_steps(f"{tmp_path / 'flow.py'}:w")
    assert sorted(steps) == ["billing.charge", "quote"]
    assert steps["billing.charge"].fn(4) == 8


def test_a_missing_file_or_a_file_without_a_workflow_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(StepHostError, match="no such file"):
        load_steps(str(tmp_path / "missing.py"))
    (tmp_path / "plain.py").write_text("x = 1\n")
    with pytest.raises(StepHostError, match="PFC002") as info:
        load_steps(str(tmp_path / "plain.py"))
    assert "\n" not in str(info.value)


def test_the_command_reports_bad_input_in_one_line_without_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PORTAFLOW_STEP_SECRET", SECRET)
    assert stephost_main([str(tmp_path / "missing.py")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no such file" in err


# ----------------------------------------------------------------------------------- the real process
def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PORTAFLOW_STEP_SECRET"}
    return {**env, **extra}


def _first_line(proc: subprocess.Popen[str], seconds: float) -> str:
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], seconds)
    assert ready, "the step host printed nothing"
    return proc.stdout.readline()


def test_the_real_process_serves_an_example_workflow_over_http() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "portaflow.stephost", f"{SAGA}:refund_saga", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=_env(PORTAFLOW_STEP_SECRET=SECRET),
        cwd=ROOT,
    )
    try:
        line = _first_line(proc, 60)
        url = line.split(" at ", 1)[1].split()[0]
        with urllib.request.urlopen(f"{url}/healthz", timeout=10) as r:
            assert json.load(r)["steps"] == sorted(
                ["reverse_charge", "restock", "notify_warehouse", "undo_reverse_charge", "undo_restock"]
            )
        body = json.dumps(call({"order_id": "A1", "amount": 42, "fail": False}, key="r1:0")).encode()
        ts = int(time.time())
        request = urllib.request.Request(
            f"{url}/steps/reverse_charge",
            data=body,
            headers={
                "Content-Type": "application/json",
                "X-Portaflow-Timestamp": str(ts),
                "X-Portaflow-Signature": signature(SECRET, ts, body),
            },
        )
        with urllib.request.urlopen(request, timeout=10) as r:
            assert json.load(r) == {"result": {"reversal": "rv_A1", "amount": 42.0, "key": "r1:0"}}
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_the_process_refuses_to_start_without_a_secret() -> None:
    r = subprocess.run(
        [sys.executable, "-m", "portaflow.stephost", str(SAGA)],
        capture_output=True,
        text=True,
        env=_env(),
        cwd=ROOT,
        timeout=60,
    )
    assert r.returncode == 2
    assert r.stdout == ""
    assert r.stderr.count("\n") == 1 and "PORTAFLOW_STEP_SECRET" in r.stderr


def test_portaflow_stephost_is_the_same_command(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("PORTAFLOW_STEP_SECRET", raising=False)
    assert portaflow_main(["stephost", str(SAGA)]) == 2
    assert "PORTAFLOW_STEP_SECRET" in capsys.readouterr().err
