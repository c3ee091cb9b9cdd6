"""Behaviours of the Cloudflare py runtime that the shared forms do not reach: dict keys compared as Python
compares them (1, 1.0 and True are one key), AttributeError on a receiver of another type, json.dumps'
escapes, str() of nested containers and tuples, Python's case mappings and JSON errors (each compared with
CPython through the lowering, in one Node.js run); the datetime, errors and JSON boundary of durable.ts (a
TypeScript program checked against Python's datetime); and what the lowering refuses (PFC060)."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from portaflow.backends.cloudflare.lower.checks import check as cloudflare_check
from portaflow.backends.cloudflare.offline.exprcheck import RUNTIME, Case, Outcome, difference, evaluate
from portaflow.backends.cloudflare.offline.node import (
    NodeUnavailable,
    bin_path,
    ensure_node_modules,
    node_binary,
)
from portaflow.compiler.frontend import compile_source

ANNOTATIONS = {"a": "int", "b": "float", "s": "str", "xs": "list", "d": "dict"}
ENV: dict[str, Any] = {"a": 7, "b": 0.1, "s": "ΑΣ ΣΑ", "xs": [3, 1, 2], "d": {"k": 1, "j": 2}, "v": None}

CASES: list[tuple[str, dict[str, Any]]] = [
    # dict keys: 1, 1.0 and True are one key, which keeps its first spelling
    # (dict displays take str keys only: the frontend refuses others, dict() and comprehensions do not)
    ("str(dict([[1, 'a'], [1.0, 'b'], [True, 'c']]))", {}),
    ("[len(dict([[1, 'a'], [True, 'b'], [1.0, 'c'], [2, 'd']])), dict([[True, 1]])[1]]", {}),
    (
        "[dict([[0, 'z']]).get(False), 1.0 in dict([[1, 2]]), "
        "str({x % 2 == 1: x for x in [a, 1, 2.5, 3.5]})]",
        {},
    ),
    ("str(dict([[1, 'x'], [True, 'y'], [0, 'z'], [False, 'w']]))", {}),
    ("json.dumps(dict([[1, 2], [True, 3], [None, 4], [1.5, 5]]))", {}),
    ("dict([[xs, 2]])", {}),
    ("d[xs]", {}),
    ("xs in d", {}),
    # a method on a value of another type: Python's AttributeError
    ("v.get('a')", {"v": None}),
    ("v.get('a')", {"v": "text"}),
    ("v.upper()", {"v": [1]}),
    ("v.keys()", {"v": 1}),
    ("v.items()", {"v": 1.5}),
    ("v.split()", {"v": {"a": 1}}),
    ("v.join(['a'])", {"v": None}),
    # json.dumps: ensure_ascii with lower-case hex and surrogate pairs, Python's separators
    (
        "json.dumps(['\u00e9', '\U0001f600', '\x7f', '\u2028', '\\x00\"\\\\', {'k': [1.5, None, True, -2]}])",
        {},
    ),
    ("json.dumps(s)", {}),
    # str() of nested containers with floats, strings and tuples
    ("str([b / 3, [1e-05, 1.5e-300, -0.5], {'k': b * 3, 'q': \"it's\"}, None, True])", {}),
    ("str([list(zip(xs, xs)), s.partition(' '), list(enumerate('ab')), sorted(d.items())])", {}),
    ("[list(enumerate(xs)) == [[0, 3], [1, 1], [2, 2]], list(zip(xs, xs))[0] == [3, 3]]", {}),
    ("str([(s + 'x').rpartition('x'), ''.partition('a')])", {}),
    # Python's case mappings: final sigma, titlecase, full case folding
    ("[s.lower(), (s + '.').lower(), 'ΑΣ\u0345'.lower(), s.title(), s.capitalize(), s.casefold()]", {}),
    (
        "['\u00dfa \ufb01 \u0149'.upper(), 'they\\'re \u01c6x \u00df'.title(), '\u01c6 \u00df'.capitalize()]",
        {},
    ),
    ("['\u00df\ufb01\u1e9e'.casefold(), '\u0130'.lower(), 'i\u0307'.upper(), '\u1f80'.upper()]", {}),
    # json.loads: Python's scanner and its error messages (a JSONDecodeError is a ValueError)
    *(
        (f"json.loads({text!r})", {})
        for text in ['{"a" 1}', "[1,]", '"\\x"', '"\\u12"', '{"a":1', "[1]x", " ", '"a\nb"']
    ),
    ('json.loads(\'[1, 2.5, "\\\\ud83d\\\\ude00", {"a": null}, NaN]\')[:4]', {}),
    # int() and float() of text: Unicode digits, underscores, Python's whitespace
    ("[int('\u0661\u0662'), float(' 1_000.5 '), int('\u00a07\u3000'), float('-Infinity'), int('+0_7')]", {}),
    ("int('1__0')", {}),
    ("float('1e')", {}),
    # round() and ** on the exact binary value, and their errors
    ("[round(2.675, 2), round(-0.5), round(1234.5, -1), round(15, -1), round(25, -1), round(-0.4, 0)]", {}),
    ("[2 ** -2, (-2) ** 3, b ** 2, 1.1 ** 3, 10 ** 15, 2.0 ** 0.5]", {}),
    ("10.0 ** 400", {}),
    ("0 ** -1", {}),
    ("round(1e308, -308)", {}),
    # sorting: the TypeError of a mixed list names its types in CPython's order
    ("sorted([1, 'a', 2])", {}),
    ("sorted([3, None])", {}),
    ("max([1, 'a'])", {}),
    (
        "[max([], default=None), min(xs, key=lambda x: -x), max(xs, key=lambda x: x % 2), "
        "sorted(xs, reverse=True)]",
        {},
    ),
    ("dict(zip(['a', 'b'], xs))", {}),
    ("dict([[1, 2, 3]])", {}),
    ("dict([1])", {}),
]


def _ts_env(names: dict[str, Any]) -> dict[str, Any]:
    return {**ENV, **names}


@pytest.fixture(scope="module")
def node() -> None:
    try:
        ensure_node_modules()
    except NodeUnavailable as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="module")
def outcomes(node: None) -> list[Outcome]:
    return evaluate([Case(e, _ts_env(names), ANNOTATIONS) for e, names in CASES])


@pytest.mark.parametrize("i", range(len(CASES)), ids=[e[:60] for e, _ in CASES])
def test_runtime_agrees_with_cpython(i: int, outcomes: list[Outcome]) -> None:
    expr, names = CASES[i]
    problem = difference(expr, _ts_env(names), outcomes[i])
    assert problem is None, problem


# ------------------------------------------------------------------------- durable.ts's side of py.ts
MILLIS = [0, 999, 1_000, 1_714_564_800_123, 1_714_564_800_000, 1_714_564_860_000, 4_102_444_799_999]

DIRECT = """
import * as py from %(runtime)s;
import { startParams } from %(durable)s;
declare const process: { stdout: { write(s: string): void } };
const out: Record<string, unknown> = {};
const millis: number[] = %(millis)s;
out.datetimes = millis.map((ms) => {
  const t = py.datetimeFromMillis(ms);
  return [py.str(t), py.datetime_isoformat(t), py.datetime_timestamp(t), py.repr(t), py.truthy(t)];
});
const catching = (f: () => unknown): unknown => {
  try {
    return ["ok", f()];
  } catch (e) {
    return e instanceof py.PyError ? [e.type, e.message, [...e.mro]] : ["js", String(e)];
  }
};
const mro = ["ValueError", "Exception", "BaseException"];
const failed = py.stepFailed("charge", 3, "ValueError", "card declined", mro);
out.stepFailed = [failed.message, failed.type, failed.errorType, failed.step, failed.attempts, py.str(failed),
  py.errorField(failed, "type", true), py.errorField(failed, "attempts", true), failed instanceof py.PyError];
// raise KeyError("sku"): the IR's message is str() of the exception, the key's repr
const raised = py.error("KeyError", "'sku'");
out.errors = [raised.message, [...raised.mro], [...py.error("MyError", null).mro],
  py.error("ValueError", null).message,
  py.errorField(raised, "type", false), py.errorField(raised, "step", false),
  catching(() => py.errorField(raised, "step", true)), py.repr(raised), py.repr(failed)];
out.toJson = [py.toJson(py.fromJson({ a: [1, { b: null }], "1": true })),
  py.toJson(py.dictFrom([[1, "x"], [true, "y"], [null, "z"], [2.5, [new py.PyTuple([1, "t"])]]])),
  catching(() => py.toJson(py.datetimeFromMillis(0))),
  catching(() => py.toJson([py.error("ValueError", "v")])),
  catching(() => py.toJson(py.dictFrom([[new py.PyTuple([1]), 1]])))];
const cyclic: py.Value[] = [1];
cyclic.push(cyclic);
out.cycles = [py.repr(cyclic), catching(() => py.json_dumps(cyclic))];
out.list = [py.list("a\\u{1F600}b"), py.list(py.dictFrom([["k", 1]])), catching(() => py.list(null)),
  catching(() => py.list(5))];
const xs: py.Value[] = [1];
out.methods = [catching(() => py.list_append(xs, 2)), xs, catching(() => py.list_append(null, 1)),
  catching(() => py.list_extend("ab", [1])), catching(() => py.list_extend(xs, 3)),
  catching(() => py.list_extend(xs, "cd")), xs];
out.unpack = [catching(() => py.unpack([1], 2)), catching(() => py.unpack([1, 2, 3], 2)),
  catching(() => py.unpack(null, 2)),
  catching(() => py.unpack("ab", 2))];
out.startParams = [startParams({ name: "ada" }, ["welcome-v2", "gift"]), startParams({ name: "ada" }, []),
  startParams(null, ["x"]), startParams([1], ["x"])];
process.stdout.write(JSON.stringify(out));
"""


def _expected_datetime(ms: int) -> list[Any]:
    t = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=ms)
    return [str(t), t.isoformat(), t.timestamp(), repr(t), True]


@pytest.fixture(scope="module")
def direct(node: None, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("cfpy")
    ts, js = tmp / "direct.ts", tmp / "direct.js"
    ts.write_text(
        DIRECT
        % {
            "runtime": json.dumps(str(RUNTIME / "py")),
            "durable": json.dumps(str(RUNTIME / "durable")),
            "millis": json.dumps(MILLIS),
        }
    )
    subprocess.run(
        [str(bin_path("esbuild")), str(ts), "--bundle", "--platform=node", f"--outfile={js}"], check=True
    )
    done = subprocess.run([node_binary(), str(js)], capture_output=True, text=True, check=True)
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_an_instance_records_the_change_ids_of_the_code_that_created_it(direct: dict[str, Any]) -> None:
    """ctx.patched: POST /runs creates instances with startParams (docs/semantics.md)."""
    assert direct["startParams"] == [
        {"name": "ada", "~patches": ["gift", "welcome-v2"]},
        {"name": "ada"},
        None,
        [1],
    ]


def test_datetimes_print_and_count_as_pythons(direct: dict[str, Any]) -> None:
    assert direct["datetimes"] == [_expected_datetime(ms) for ms in MILLIS]


def test_step_failed_is_the_local_engines(direct: dict[str, Any]) -> None:
    from portaflow.dsl.errors import StepFailed

    local = StepFailed("charge", "ValueError", "card declined", 3)
    assert direct["stepFailed"] == [
        local.message,
        "StepFailed",
        local.type,
        local.step,
        local.attempts,
        str(local),
        local.type,
        local.attempts,
        True,
    ]


def test_errors_carry_pythons_messages_and_classes(direct: dict[str, Any]) -> None:
    assert direct["errors"] == [
        str(KeyError("sku")),
        ["KeyError", "LookupError", "Exception", "BaseException"],
        ["MyError", "Exception", "BaseException"],
        str(ValueError()),
        "KeyError",
        None,
        [
            "AttributeError",
            "'KeyError' object has no attribute 'step'",
            ["AttributeError", "Exception", "BaseException"],
        ],
        repr(KeyError("sku")),
        "StepFailed(step='charge', type='ValueError', message='card declined')",
    ]


def test_json_boundary_is_pythons_json(direct: dict[str, Any]) -> None:
    assert direct["toJson"][0] == {"a": [1, {"b": None}], "1": True}
    assert direct["toJson"][1] == json.loads(json.dumps({1: "y", None: "z", 2.5: [(1, "t")]}))
    assert direct["toJson"][2][:2] == ["TypeError", "Object of type datetime is not JSON serializable"]
    assert direct["toJson"][3][:2] == ["TypeError", "Object of type ValueError is not JSON serializable"]
    assert direct["toJson"][4][:2] == ["TypeError", "keys must be str, int, float, bool or None, not tuple"]
    assert direct["cycles"][0] == "[1, [...]]"
    assert direct["cycles"][1][:2] == ["ValueError", "Circular reference detected"]


def test_iteration_unpacking_and_list_methods(direct: dict[str, Any]) -> None:
    assert direct["list"][:2] == [["a", "\U0001f600", "b"], ["k"]]
    assert direct["list"][2][:2] == ["TypeError", "'NoneType' object is not iterable"]
    assert direct["list"][3][:2] == ["TypeError", "'int' object is not iterable"]
    methods = direct["methods"]
    assert methods[0] == ["ok", None] and methods[1] == [1, 2, "c", "d"]  # the same list, changed later
    assert methods[2][:2] == ["AttributeError", "'NoneType' object has no attribute 'append'"]
    assert methods[3][:2] == ["AttributeError", "'str' object has no attribute 'extend'"]
    assert methods[4][:2] == ["TypeError", "'int' object is not iterable"]
    assert [u[:2] for u in direct["unpack"][:3]] == [
        ["ValueError", "not enough values to unpack (expected 2, got 1)"],
        ["ValueError", "too many values to unpack (expected 2)"],
        ["TypeError", "cannot unpack non-iterable NoneType object"],
    ]
    assert direct["unpack"][3] == ["ok", ["a", "b"]]


# ------------------------------------------------------------------------------------------- PFC060
def _diagnostics(body: str, params: str = "d: dict, xs: list") -> list[str]:
    src = f"import json\nfrom portaflow import workflow\n\n@workflow\ndef w(ctx, {params}):\n{body}"
    res = compile_source(src, "<flow>")
    assert res.program is not None and not res.errors, res.errors
    return [f"{d.code} {d.line} {d.message}" for d in cloudflare_check(res.program)]


@pytest.mark.parametrize(
    "body",
    [
        "    keys = d.keys()\n    return str(keys)\n",
        "    return zip(xs, xs) == []\n",
        "    pairs = enumerate(xs)\n    return list(pairs)\n",
        "    return str(range(3))\n",
        "    return len(zip(xs, xs))\n",
        "    t = ctx.now()\n    u = ctx.now()\n    return str(u - t)\n",
    ],
)
def test_inexact_expressions_are_refused(body: str) -> None:
    got = _diagnostics(body)
    assert len(got) == 1 and got[0].startswith("PFC060") and "not exact on Cloudflare" in got[0], got


def test_lazy_values_consumed_once_are_not_refused() -> None:
    body = (
        "    total = 0\n"
        "    for i, x in enumerate(xs):\n"
        "        total += i * x\n"
        "    pairs = list(zip(xs, xs))\n"
        "    ks = sorted(d.keys())\n"
        "    m = dict(zip(ks, range(len(ks))))\n"
        "    n = len(d.items()) + len(range(3)) + sum(d.values()) + max(range(4))\n"
        "    a, b = zip(xs, xs)\n"
        "    found = 'k' in d.keys()\n"
        "    return [total, pairs, m, n, a, b, found, [k for k, v in d.items()], ','.join(d.keys())]\n"
    )
    assert _diagnostics(body) == []


def test_unicode_tables_are_those_of_this_python() -> None:
    import unicodedata

    from portaflow.backends.cloudflare import unicode_tables

    committed = unicode_tables.TARGET.read_text(encoding="utf-8")
    if f'UNIDATA_VERSION = "{unicodedata.unidata_version}"' not in committed:
        pytest.skip(
            f"the tables are of another Unicode version than this Python's {unicodedata.unidata_version}"
        )
    assert unicode_tables.render() == committed, (
        "regenerate: python -m portaflow.backends.cloudflare.unicode_tables"
    )


def test_every_catalogue_row_is_lowered() -> None:
    from portaflow.backends.cloudflare.lower.expr import CALLS
    from portaflow.compiler import catalog

    assert set(CALLS) == {row.name for row in catalog.ROWS}
    for row in catalog.ROWS:
        if row.is_method:
            assert f"export function {row.name.replace('.', '_')}(" in _runtime_text(), row.name


def _runtime_text() -> str:
    return "".join(p.read_text(encoding="utf-8") for p in sorted(Path(RUNTIME).glob("py*.ts")))
