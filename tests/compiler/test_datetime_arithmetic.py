"""Datetime arithmetic on ctx.now() in the frontend: timedelta(...) from the standard library, the types of
the operations (the IR's ``datetime`` and ``timedelta``), and the refusals every target shares, with Python's
reason and what to write (docs/dsl.md "Dates and times", docs/compile-errors.md PFC021/PFC024)."""

from __future__ import annotations

import pytest

from portaflow.compiler import compile_source, ir

HEAD = "import datetime\nfrom datetime import timedelta\nfrom datetime import timedelta as td\n\n"
HEAD += "from portaflow import Context, workflow\n\n\n@workflow\ndef w(ctx: Context, n: int, x: float, v):\n"


def _compile(body: str) -> tuple[list[tuple[str, str, str]], ir.Program | None]:
    res = compile_source(HEAD + "".join(f"    {line}\n" for line in body.splitlines()), "wf.py")
    return [(d.code, d.message, d.hint) for d in res.errors], res.program


def _returned(body: str) -> ir.Expr:
    errors, program = _compile(body)
    assert not errors and program is not None, errors
    ret = program.workflows["w"].body[-1]
    assert isinstance(ret, ir.Return) and ret.value is not None
    return ret.value


@pytest.mark.parametrize(
    ("body", "ty"),
    [
        ("return timedelta(hours=4)", "timedelta"),
        ("return datetime.timedelta(days=1, minutes=n)", "timedelta"),
        ("return td(weeks=1)", "timedelta"),
        ("t = ctx.now()\nu = ctx.now()\nreturn u - t", "timedelta"),
        ("t = ctx.now()\nreturn t + timedelta(hours=4)", "datetime"),
        ("t = ctx.now()\nreturn timedelta(hours=4) + t", "datetime"),
        ("t = ctx.now()\nreturn t - timedelta(hours=4)", "datetime"),
        ("return timedelta(1) * n", "timedelta"),
        ("return x * timedelta(1)", "timedelta"),
        ("return timedelta(1) / timedelta(hours=1)", "float"),
        ("return timedelta(1) // timedelta(hours=1)", "int"),
        ("return timedelta(1) / 3", "timedelta"),
        ("return -timedelta(1)", "timedelta"),
        ("return abs(timedelta(-1))", "timedelta"),
        ("return timedelta(1).days", "int"),
        ("return timedelta(1).total_seconds()", "float"),
        ("t = ctx.now()\nreturn t.year", "int"),
        ("t = ctx.now()\nreturn t.strftime('%Y-%m-%d %H:%M %%')", "str"),
        ("return timedelta(1) + v", "any"),
    ],
)
def test_each_operation_has_pythons_result_type(body: str, ty: str) -> None:
    assert _returned(body).ty == ty


def test_timedelta_passes_all_seven_parameters_in_pythons_order() -> None:
    call = _returned("return timedelta(hours=4, days=n)")
    assert isinstance(call, ir.Call) and call.func == "timedelta"
    assert [a.value if isinstance(a, ir.Const) else "n" for a in call.args] == ["n", 0, 0, 0, 0, 4, 0]


def test_a_local_named_timedelta_is_not_the_class() -> None:
    errors, _ = _compile("timedelta = 3\nreturn timedelta(1)")
    assert [code for code, _, _ in errors] == ["PFC022"]


@pytest.mark.parametrize(
    ("body", "code", "says"),
    [
        ("return timedelta(hours=1.5)", "PFC021", "of a float is not supported"),
        ("return timedelta(hours=x)", "PFC021", "of a float is not supported"),
        ("return timedelta(hours=v)", "PFC021", "of a value not known to be an int"),
        ("return timedelta(years=1)", "PFC021", "has no keyword argument years="),
        ("return timedelta(1, days=2)", "PFC021", "got twice the argument days="),
        ("t = ctx.now()\nreturn t + t", "PFC021", "datetime.datetime + datetime.datetime raises TypeError"),
        ("return timedelta(1) + 1", "PFC021", "datetime.timedelta + int raises TypeError"),
        ("t = ctx.now()\nreturn t * 2", "PFC021", "datetime.datetime * int raises TypeError"),
        ("return 1 / timedelta(1)", "PFC021", "int / datetime.timedelta raises TypeError"),
        ("return timedelta(1) // x", "PFC021", "datetime.timedelta // float raises TypeError"),
        ("return timedelta(1).day", "PFC021", "a timedelta has no attribute .day"),
        ("return timedelta(1).total_seconds", "PFC021", "(a method: call it)"),
        ("return timedelta(1).days()", "PFC024", "(an attribute: write it without ())"),
        ("return timedelta(1).max()", "PFC024", "method .max() of a timedelta is not supported"),
        ("t = ctx.now()\nreturn t.tzinfo", "PFC021", "a datetime has no attribute .tzinfo"),
        ("t = ctx.now()\nreturn t.year()", "PFC024", "(an attribute: write it without ())"),
        ("t = ctx.now()\nreturn t.date()", "PFC024", "method .date() of ctx.now() is not supported"),
        ("t = ctx.now()\nreturn t.strftime('%c')", "PFC024", "with the directive '%c' is not supported"),
        ("t = ctx.now()\nreturn t.strftime('100%')", "PFC024", "with the directive '%' is not supported"),
        ("t = ctx.now()\nreturn t.strftime(str(n))", "PFC024", "a format that is not a string literal"),
        ("t = ctx.now()\nreturn f'{t:%c}'", "PFC024", "with the directive '%c' is not supported"),
        ("t = ctx.now()\nreturn f'{t!r:%Y}'", "PFC028", "format spec '%Y'"),
    ],
)
def test_what_python_refuses_or_no_target_repeats_is_refused(body: str, code: str, says: str) -> None:
    errors, _ = _compile(body)
    assert [c for c, _, _ in errors] == [code], errors
    [(_, message, hint)] = errors
    assert says in message, message
    assert 'd["key"]' not in hint and hint, hint


def test_the_hint_lists_what_a_datetime_and_a_timedelta_have() -> None:
    [(_, _, hint)] = _compile("return timedelta(1).hours")[0]
    assert ".days, .seconds, .microseconds and .total_seconds()" in hint
    [(_, _, hint)] = _compile("t = ctx.now()\nreturn t.date()")[0]
    assert ".year" in hint and ".timestamp(), .isoformat()" in hint and "timedelta(...)" in hint


def test_a_module_level_timedelta_of_literals_is_a_constant() -> None:
    src = (
        "from datetime import timedelta\n\nfrom portaflow import Context, workflow\n\nHOURS = 4\n"
        "SLA = timedelta(hours=HOURS, minutes=30)\nODD = timedelta(hours=1.5)\n\n\n@workflow\n"
        "def w(ctx: Context):\n    t = ctx.now()\n    return str(t + SLA)\n\n\n"
        "@workflow\ndef odd(ctx: Context):\n    return str(ODD)\n"
    )
    res = compile_source(src, "wf.py", "w")
    assert not res.errors and res.program is not None
    [_, ret] = res.program.workflows["w"].body
    assert isinstance(ret, ir.Return) and isinstance(ret.value, ir.Call)
    [added] = ret.value.args
    assert isinstance(added, ir.BinOp) and added.ty == "datetime"
    assert added.right == ir.Call(
        "timedelta", tuple(ir.Const(v, "int") for v in (0, 0, 0, 0, 30, 4, 0)), (), "timedelta"
    )
    # a float argument is not a whole-number timedelta: the name is not a constant the workflow can read
    assert [d.code for d in compile_source(src, "wf.py", "odd").errors] == ["PFC026"]


def test_a_datetimes_format_spec_is_its_strftime_format() -> None:
    text = _returned("t = ctx.now()\nreturn f'on {t + timedelta(1):%d %b %Y}'")
    assert isinstance(text, ir.FString)
    [_, field] = text.parts
    assert isinstance(field, ir.FormattedValue) and (field.spec, field.conversion) == ("", "")
    assert isinstance(field.value, ir.Call) and field.value.func == "datetime.strftime"
    assert field.value.args[1] == ir.Const("%d %b %Y", "str")
