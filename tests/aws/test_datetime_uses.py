"""On Step Functions a ``ctx.now()`` datetime is an ISO string: each use either gets Python's result there
(the conformance scenario s86 runs them) or is refused at compile time with PFC040, never a silent string."""

from __future__ import annotations

import pytest

from portaflow import backends
from portaflow.compiler import compile_source
from portaflow.compiler.pipeline import diagnose

HEAD = "from portaflow import Context, step, workflow\n\n@step\ndef s(x):\n    return 1\n\n"


def aws_codes(body: str, imports: str = "") -> list[str]:
    lines = "".join(f"    {line}\n" for line in body.split("; "))
    src = imports + HEAD + "@workflow\ndef w(ctx: Context, n: int = 1):\n" + lines
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
        "t = ctx.now(); return [t.year, t.month, t.day, t.hour, t.minute, t.second, t.microsecond]",
        "t = ctx.now(); return [t.weekday(), t.isoweekday()]",
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


def test_datetime_arithmetic_compiles_where_it_is_exact() -> None:
    """A timedelta is its microseconds there (backends/aws/lower/timedeltas.py): arithmetic with timedeltas
    and ints, comparisons of two, str() and the attributes compile (tests/aws/test_timedeltas.py checks them
    against CPython)."""
    body = (
        "t = ctx.now(); due = t + timedelta(hours=4); late = ctx.now() - due; "
        "ctx.sleep(timedelta(hours=n)); ctx.wait_for_event('e', timeout=due - ctx.now()); "
        "return [str(late), late.days, late.total_seconds(), late < timedelta(0), str(late * 2 // 3), "
        "(due - timedelta(minutes=5)).isoformat(), bool(late), str(-abs(late))]"
    )
    assert aws_codes(body, "from datetime import timedelta\n") == []


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ("return str(timedelta(hours=1) * 1.5)", "multiplied or divided by a float"),
        ("return (ctx.now() + timedelta(hours=1) / 7).isoformat()", "may hold microseconds"),
        ("return (ctx.now() + timedelta(microseconds=5)).isoformat()", "may hold microseconds"),
        ("return timedelta(hours=1)", "returned"),
        ("return timedelta(hours=1) == 3600", "compared with something that is not a timedelta"),
        ("return [timedelta(hours=1)]", "put in a list"),
        ("return s(timedelta(hours=1))", "passed to a step"),
        ("ctx.sleep(timedelta(hours=n) * 1.5); return 1", "multiplied or divided by a float"),
        ("d = timedelta(hours=1); d = 5; return d", "holds a timedelta and other values"),
    ],
)
def test_timedelta_uses_that_would_differ_are_refused(body: str, why: str) -> None:
    src = "from datetime import timedelta\n" + HEAD + "@workflow\ndef w(ctx: Context, n: int):\n    "
    src += body.replace("; ", "\n    ") + "\n"
    (d,) = diagnose(compile_source(src, "wf.py"), backends.get("aws"))
    assert d.code == "PFC040" and why in d.message, d.message
    if "timedelta" in d.message and "datetime" not in d.message.split(":")[0]:
        assert "td.total_seconds()" in d.hint


def test_the_ir_and_the_local_engine_are_not_restricted() -> None:
    src = HEAD + "@workflow\ndef w(ctx: Context):\n    return ctx.now()\n"
    assert diagnose(compile_source(src, "wf.py"), None) == []
