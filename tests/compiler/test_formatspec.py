"""The format mini-language, parsed once (portaflow/compiler/formatspec.py): its errors are CPython's for
every spec and type, and the frontend lowers f-string fields, format() and str.format() to the same IR,
refusing what Python rejects (PFC028) and what no spec can express statically (PFC021)."""

from __future__ import annotations

import itertools
import random
from typing import Any

import pytest

from portaflow.compiler import formatspec, ir
from portaflow.compiler.frontend import compile_source

PIECES = [
    ["", "x<", "*>", "0=", "^", "=", "\x00^"],
    ["", "+", " "],
    ["", "z"],
    ["", "#"],
    ["", "0"],
    ["", "5", "12"],
    ["", ",", "_", ",_", "_,"],
    ["", ".0", ".3", ".", "..1"],
    ["", "d", "x", "X", "o", "b", "c", "n", "e", "E", "f", "F", "g", "G", "%", "s", "q", "\x01", "dd"],
]
VALUES: list[Any] = [1, True, 1.5, "ab", None, [1], {"a": 1}]


def python(value: Any, spec: str) -> tuple[str, str] | None:
    try:
        format(value, spec)
    except (ValueError, TypeError) as exc:
        return type(exc).__name__, str(exc)
    return None


def test_python_error_is_cpython_s_exception_for_every_spec_and_type() -> None:
    specs = ["".join(p) for p in itertools.product(*PIECES)]
    for spec in random.Random(3).sample(specs, 20000):
        for value in VALUES:
            assert formatspec.python_error(spec, type(value).__name__) == python(value, spec), (spec, value)


def test_the_fields_of_a_spec() -> None:
    f = formatspec.parse("*^+z#012_.3f")
    assert (f.fill, f.align, f.sign, f.z, f.alt, f.zero, f.width, f.grouping, f.precision, f.type) == (
        "*", "^", "+", True, True, False, 12, "_", 3, "f"
    )  # fmt: skip
    assert formatspec.parse("012").layout("int") == ("0", "=") and formatspec.parse("012").layout("str") == (
        "0",
        "<",
    )
    assert formatspec.parse("_x").group_size() == 4 and formatspec.parse("_d").group_size() == 3


def test_errors_by_kind_name_the_run_time_type() -> None:
    assert formatspec.errors(".2f") == {
        "str": ("ValueError", "Unknown format code 'f' for object of type '{type}'"),
        "object": ("TypeError", "unsupported format string passed to {type}.__format__"),
    }
    assert formatspec.errors("s")["int"] == (
        "ValueError",
        "Unknown format code 's' for object of type '{type}'",
    )


def body(expr: str, params: str = "x: float, n: int, s: str, v") -> tuple[ir.Expr | None, list[Any]]:
    src = "from portaflow import Context, workflow\n\n\n@workflow\n"
    src += f"def w(ctx: Context, {params}):\n    return {expr}\n"
    res = compile_source(src, "app.py")
    if res.errors or res.program is None:
        return None, res.errors
    ret = res.program.workflows["w"].body[-1]
    assert isinstance(ret, ir.Return)
    return ret.value, []


def test_format_and_str_format_are_the_f_string_s_fields() -> None:
    want, _ = body("f'{n:>5}'")
    assert body("format(n, '>5')")[0] == want == body("'{:>5}'.format(n)")[0]
    got, _ = body("'a{1}b{0!r:^9}c{k:x}'.format(s, x, k=n)")
    assert got == ir.FString(
        (
            ir.Const("a", "str"),
            ir.FormattedValue(ir.Name("x", "float")),
            ir.Const("b", "str"),
            ir.FormattedValue(ir.Name("s", "str"), "r", "^9"),
            ir.Const("c", "str"),
            ir.FormattedValue(ir.Name("n", "int"), "", "x"),
        )
    )
    assert body("format(v)")[0] == ir.FString((ir.FormattedValue(ir.Name("v", "any")),))


@pytest.mark.parametrize(
    ("expr", "code", "message"),
    [
        (
            "f'{x:d}'",
            "PFC028",
            "Python raises ValueError: Unknown format code 'd' for object of type 'float'",
        ),
        ("f'{s:+}'", "PFC028", "Sign not allowed in string format specifier"),
        ("format(n, '.2x')", "PFC028", "Precision not allowed in integer format specifier"),
        ("f'{v:abc}'", "PFC028", "Invalid format specifier 'abc'"),
        ("f'{n:,_}'", "PFC028", "Cannot specify both ',' and '_'."),
        ("f'{s!r:=5}'", "PFC028", "'=' alignment not allowed in string format specifier"),
        ("f'{[1]:>3}'", "PFC028", "TypeError: unsupported format string passed to list.__format__"),
        ("'{}{1}'.format(1, 2)", "PFC028", "cannot switch from automatic field numbering to manual field"),
        (
            "'{2}'.format(1)",
            "PFC028",
            "IndexError: Replacement index 2 out of range for positional args tuple",
        ),
        ("'{k}'.format(j=1)", "PFC028", "KeyError: 'k'"),
        ("'{'.format(1)", "PFC028", "Single '{' encountered in format string"),
        ("f'{n:{n}}'", "PFC021", "a format spec with a nested field ({width}) is not supported"),
        ("'{:{}}'.format(n, 3)", "PFC021", "a format spec with a nested field is not supported"),
        ("format(n, s)", "PFC021", "the spec of format() must be a string literal"),
        ("s.format(n)", "PFC024", "method .format() is not supported"),
        ("'{0[k]}'.format(v)", "PFC021", "attribute and item fields are not supported"),
        (
            "format(x, 'n')",
            "PFC021",
            "format type 'n' is not supported: it formats with the host's locale, which the targets do not "
            "share (in the C locale it is d for an int, g for a float)",
        ),
        ("'{!a}'.format(s)", "PFC021", "conversion !a is not supported"),
        (
            "format(n, '>3', 1)",
            "PFC021",
            "format expected at most 2 arguments, got 3: Python raises TypeError",
        ),
        (
            "format(n, format_spec='>3')",
            "PFC021",
            "format() takes no keyword arguments: Python raises TypeError",
        ),
        ("format()", "PFC021", "format expected at least 1 argument, got 0"),
    ],
)
def test_a_spec_python_rejects_or_no_target_can_express_is_refused(
    expr: str, code: str, message: str
) -> None:
    _, errors = body(expr)
    assert [d.code for d in errors] == [code] and message in errors[0].message, errors


@pytest.mark.parametrize(
    "expr",
    [
        "'{}{}'.format(v[0], v[1])",  # each argument that may raise is used in the call's order
        "'{0}{0}{1}'.format(v[0], x)",
        "'{1}{0}'.format(x, v[0])",  # x cannot raise
    ],
)
def test_str_format_keeps_python_s_order_of_evaluation(expr: str) -> None:
    assert body(expr)[1] == []


@pytest.mark.parametrize(
    "expr",
    [
        "'{1}{0}'.format(v[0], v[1])",  # Python evaluates v[0] first
        "'{1}'.format(v[0], x)",  # v[0] is evaluated (and may raise) though no field uses it
        "'{:>3}{}'.format(v, v[0])",  # v[0] raises before v's spec can
    ],
)
def test_str_format_whose_fields_would_raise_in_another_order_is_refused(expr: str) -> None:
    _, errors = body(expr)
    assert [d.code for d in errors] == ["PFC021"] and "another order than Python" in errors[0].message


def test_a_module_level_template_is_static() -> None:
    src = (
        'from portaflow import Context, workflow\n\nROW = "{:<6}|{:>8,.2f}"\n\n\n@workflow\n'
        "def w(ctx: Context, item: str, price: float):\n    return ROW.format(item, price)\n"
    )
    res = compile_source(src, "app.py")
    assert res.program is not None and not res.errors
    ret = res.program.workflows["w"].body[-1]
    assert isinstance(ret, ir.Return) and ret.value == ir.FString(
        (
            ir.FormattedValue(ir.Name("item", "str"), "", "<6"),
            ir.Const("|", "str"),
            ir.FormattedValue(ir.Name("price", "float"), "", ">8,.2f"),
        )
    )
