"""Partial failure in the compiler: the options of ctx.map/ctx.parallel in the IR (version 7), the exception
tests of a fan-out's outcomes, and what AWS and Cloudflare refuse of it (PFC075) or lower (a tolerated
statement)."""

from __future__ import annotations

import pytest

from portaflow.backends import get
from portaflow.compiler import compile_source, ir
from portaflow.compiler.pipeline import diagnose

HEAD = (
    "from portaflow import Context, StepFailed, TooManyFailures, step, workflow\n\n\n"
    "class Rejected(Exception):\n    pass\n\n\n"
    "@step\ndef check(x: int) -> int:\n    return x\n\n\n"
    "@workflow\ndef wf(ctx: Context, xs: list, n: int):\n"
)


def program(body: str) -> ir.Program:
    res = compile_source(HEAD + body, "wf.py")
    assert res.errors == [] and res.program is not None, res.errors
    return res.program


def errors(body: str, target: str | None = None) -> list[tuple[str, int, str]]:
    res = compile_source(HEAD + body, "wf.py")
    found = res.errors if target is None else [d for d in diagnose(res, get(target)) if d.severity == "error"]
    return [(d.code, d.line, d.message) for d in found]


def test_the_options_are_fields_of_the_fan_out_nodes() -> None:
    prog = program(
        "    rs = ctx.map(check, xs, return_exceptions=True)\n"
        "    ctx.parallel(lambda: check(1), tolerated_failures=2, tolerated_failure_percentage=12.5)\n"
        "    return len(rs)\n"
    )
    m, p = prog.workflows["wf"].body[:2]
    assert isinstance(m, ir.MapCall) and isinstance(p, ir.ParallelCall)
    assert (m.return_exceptions, m.tolerated_failures, m.tolerated_failure_percentage) == (True, None, None)
    assert (p.return_exceptions, p.tolerated_failures, p.tolerated_failure_percentage) == (False, 2, 12.5)
    assert ir.from_json(ir.to_json(prog)) == prog and prog.ir_version == 7


def test_a_fan_out_without_them_keeps_its_json() -> None:
    prog = program("    return ctx.map(check, xs)\n")
    data = ir.to_json(prog.workflows["wf"].body[0])
    assert not {"return_exceptions", "tolerated_failures", "tolerated_failure_percentage"} & set(data)


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("tolerated_failures=n", "ctx.map tolerated_failures must be a literal integer >= 0 (a count)"),
        ("tolerated_failures=-1", "ctx.map tolerated_failures must be a literal integer >= 0 (a count)"),
        (
            "tolerated_failure_percentage=150",
            "ctx.map tolerated_failure_percentage must be a literal number from 0 to 100 (a percentage)",
        ),
        ("return_exceptions=1", "ctx.map return_exceptions must be True or False (a literal)"),
    ],
)
def test_an_option_must_be_a_valid_literal(option: str, message: str) -> None:
    assert errors(f"    return ctx.map(check, xs, {option})\n") == [("PFC030", 15, message)]


def test_isinstance_of_exception_classes_is_an_exception_test() -> None:
    prog = program(
        "    rs = ctx.map(check, xs, return_exceptions=True)\n"
        "    return [isinstance(r, (Rejected, StepFailed)) for r in rs if not isinstance(r, Exception)]\n"
    )
    tests = [n for s in prog.workflows["wf"].body for n in ir.own_nodes(s) if isinstance(n, ir.IsError)]
    assert [(t.types, t.catch_all) for t in tests] == [
        (("Rejected", "StepFailed"), False),
        (("Exception",), True),
    ]


def test_isinstance_mixing_exception_and_json_classes_is_refused() -> None:
    [(code, line, message)] = errors("    return isinstance(n, (ValueError, int))\n")
    assert (code, line) == ("PFC021", 15) and "isinstance() of `ValueError`" in message


@pytest.mark.parametrize("target", ["aws"])
def test_kept_outcomes_are_refused_where_values_are_not_python_s(target: str) -> None:
    found = errors(
        "    rs = ctx.map(check, xs, tolerated_failures=1)\n"
        "    ok = [r for r in rs if not isinstance(r, StepFailed)]\n"
        "    return [f'{r.type}' for r in ok]\n",
        target,
    )
    assert [(c, line) for c, line, _ in found] == [("PFC075", 15), ("PFC075", 16), ("PFC075", 17)]
    assert "exception items cannot be values on" in found[0][2]
    assert "isinstance() of an exception class" in found[1][2]
    assert "`r.type` of a value that `except` did not bind" in found[2][2]


@pytest.mark.parametrize("target", ["aws", "cloudflare", "azure"])
def test_a_tolerated_statement_compiles_everywhere(target: str) -> None:
    body = (
        "    try:\n"
        "        ctx.map(check, xs, tolerated_failures=1, tolerated_failure_percentage=10)\n"
        "    except TooManyFailures as e:\n"
        "        return str(e)\n"
        "    return 'ok'\n"
    )
    assert errors(body, target) == []


@pytest.mark.parametrize("target", ["azure", "cloudflare"])
def test_azure_and_cloudflare_hold_kept_outcomes(target: str) -> None:
    body = (
        "    rs = ctx.map(check, xs, return_exceptions=True)\n"
        "    return [r for r in rs if isinstance(r, Rejected)]\n"
    )
    assert errors(body, target) == []


def test_an_attribute_of_a_name_that_is_not_a_variable_stays_refused() -> None:
    [(code, line, message)] = errors("    return Rejected.message\n")
    assert (code, line) == ("PFC021", 15) and "attribute access `Rejected.message`" in message
