"""On Step Functions a ``ctx.now()`` datetime is an ISO string: each use either gets Python's result there
(the conformance scenario s86 runs them) or is refused at compile time with PFC040, never a silent string."""

from __future__ import annotations

import pytest

from portaflow import backends
from portaflow.compiler import compile_source
from portaflow.compiler.pipeline import diagnose

HEAD = "from portaflow import Context, step, workflow\n\n@step\ndef s(x):\n    return 1\n\n"


def aws_codes(body: str) -> list[str]:
    lines = "".join(f"    {line}\n" for line in body.split("; "))
    src = HEAD + "@workflow\ndef w(ctx: Context, n: int = 1):\n" + lines
    diagnostics = diagnose(compile_source(src, "wf.py"), backends.get("aws"))
    return [d.code for d in diagnostics if d.severity == "error"]


@pytest.mark.parametrize(
    "body",
    [
        "t = ctx.now(); return t.timestamp()",
        "t = ctx.now(); return t.isoformat()",
        "t = ctx.now(); return str(t)",
        "t = ctx.now(); return f'{t} {t!s}'",
        "t = ctx.now(); u = ctx.now(); return t < u <= u",
        "t = ctx.now(); u = t; return u == t",
        "ctx.now(); return 1",
        "return str(ctx.now())",
    ],
)
def test_exact_uses_compile(body: str) -> None:
    assert aws_codes(body) == []


@pytest.mark.parametrize(
    "body",
    [
        "return ctx.now()",
        "t = ctx.now(); return {'at': t}",
        "t = ctx.now(); return [t]",
        "t = ctx.now(); return s(t)",
        "t = ctx.now(); return s(x=t)",
        "t = ctx.now(); return str(ctx.now() - t)",
        "t = ctx.now(); return t.year",
        "t = ctx.now(); return f'{t!r}'",
        "t = ctx.now(); return len(t)",
        "t = ctx.now(); return t == 'x'",
        "t = ctx.now(); return 1 if t else 0",
        "t = ctx.now(); d = {}; d['k'] = t; return 1",
        "t = None; t = ctx.now(); return str(t)",
        "t = ctx.now(); t = 'later'; return t",
    ],
)
def test_uses_that_would_differ_are_refused(body: str) -> None:
    assert aws_codes(body) == ["PFC040"]


def test_the_refusal_names_the_use_and_what_to_write() -> None:
    src = HEAD + "@workflow\ndef w(ctx: Context):\n    t = ctx.now()\n    return {'at': t}\n"
    (d,) = diagnose(compile_source(src, "wf.py"), backends.get("aws"))
    assert (d.code, d.line) == ("PFC040", 10)
    assert "a datetime put in a dict" in d.message and "ISO-8601 string" in d.message
    assert "t.isoformat()" in d.hint and "t.timestamp()" in d.hint


def test_datetime_arithmetic_is_refused_with_seconds_as_the_way_out() -> None:
    """Step Functions has no duration value: every statement holding a timedelta is PFC040, whose hint says
    to work in t.timestamp() seconds (the frontend has refused what Python refuses: t + 1 is PFC021)."""
    src = HEAD + (
        "from datetime import timedelta\n\n@workflow\ndef w(ctx: Context):\n    t = ctx.now()\n"
        "    due = t + timedelta(hours=4)\n    return ctx.now() > due\n"
    )
    (d,) = diagnose(compile_source(src, "wf.py"), backends.get("aws"))
    assert d.code == "PFC040" and "a timedelta" in d.message
    assert "u.timestamp() - t.timestamp()" in d.hint


def test_the_ir_and_the_local_engine_are_not_restricted() -> None:
    src = HEAD + "@workflow\ndef w(ctx: Context):\n    return ctx.now()\n"
    assert diagnose(compile_source(src, "wf.py"), None) == []
