"""The code --fix writes runs on the engine: ``ctx.now()`` is an aware UTC datetime, ``ctx.uuid4()`` a
``uuid.UUID``, ``ctx.random()`` a float in [0, 1), ``ctx.sleep`` a durable timer (portaflow/dsl/context.py),
so each rewrite keeps the type the replaced call returned."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from portaflow.dsl.decorators import Workflow
from portaflow.lint.cli import main
from portaflow.local_engine import Engine, VirtualClock

FIXTURES = Path(__file__).parent / "fixtures"
START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _load_workflow(path: Path, name: str) -> Workflow[..., dict[str, object]]:
    spec = importlib.util.spec_from_file_location(f"lint_fixed_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    wf = getattr(module, name)
    assert isinstance(wf, Workflow)
    return wf


def test_every_fix_template_runs_on_the_local_engine_with_the_types_of_the_calls_it_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "every_template.py"
    shutil.copy(FIXTURES / "every_template.before.py", target)
    monkeypatch.chdir(tmp_path)
    assert main([target.name, "--fix"]) == 0
    assert capsys.readouterr().out == "Fixed 16 findings.\nAll checks passed!\n"
    assert target.read_text() == (FIXTURES / "every_template.after.py").read_text()

    wf = _load_workflow(target, "every_template")
    with Engine(tmp_path / "db", clock=VirtualClock(START)) as engine:
        run = engine.start(wf, {})
        result = run.result()
        kinds = [event.kind for event in run.history()]
    assert result["types"] == {
        "started": "float",
        "nanos": "int",
        "mono": "float",
        "aware": "datetime",
        "utc": "datetime",
        "zoned": "datetime",
        "naive": "datetime",
        "local_today": "datetime",
        "today": "date",
        "tuple_now": "struct_time",
        "draw": "float",
        "rng": "Random",
        "ident": "UUID",
        "other": "UUID",
    }
    assert result["aware_utc"] is True and result["naive"] is True
    assert result["zoned_offset"] == 7200.0
    assert result["today"] == "2026-03-01" and result["tuple_year"] == 2026
    assert result["draw_in_range"] is True and result["rng_draw_in_range"] is True
    assert result["uuid_version"] == 4 and result["uuid_str_len"] == 36
    assert result["nanos_match"] is True
    assert result["slept"] == 2.0  # a durable timer on the virtual clock, not a blocking sleep
    assert str(result["recorded"]).endswith(f"@{START.timestamp()}")
    assert kinds.count("timer_started") == 1 and kinds.count("timer_fired") == 1


TIMED = """import time

from portaflow import Context, step, workflow


@step
def work(n: int) -> int:
    return n * 2


@workflow
def timed(ctx: Context, n: int) -> dict:
    start = time.time()
    r = work(n)
    took = time.time() - start
    return {"r": r, "ordered": took >= 0, "recent": start > 1.7e9, "ns": time.time_ns() > 1.7e18}
"""


def test_the_fix_of_time_time_compiles_for_aws_and_runs_alike_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """PF101 writes ``ctx.now().timestamp()``: the AWS compiler must accept what the linter recommends."""
    pytest.importorskip("moto")
    from portaflow.backends import get
    from portaflow.backends.aws.offline.harness import AwsHarness
    from portaflow.compiler import compile_file
    from portaflow.compiler.pipeline import diagnose

    target = tmp_path / "timed.py"
    target.write_text(TIMED)
    monkeypatch.chdir(tmp_path)
    before = compile_file(target)
    assert {d.code for d in before.errors} == {"PFC022"}  # time.time() is refused, pointing at ctx.now()
    assert main([target.name, "--fix"]) == 0
    assert "ctx.now().timestamp()" in target.read_text()
    capsys.readouterr()
    res = compile_file(target)
    assert not [d for d in diagnose(res, get("aws")) if d.severity == "error"]
    want = {"r": 42, "ordered": True, "recent": True, "ns": True}
    with AwsHarness(target) as aws:
        run = aws.start({"n": 21}, run_id="t1")
        assert (run.status, run.output) == ("completed", want)
    with Engine(tmp_path / "db") as engine:
        assert engine.start(_load_workflow(target, "timed"), {"n": 21}).result() == want
