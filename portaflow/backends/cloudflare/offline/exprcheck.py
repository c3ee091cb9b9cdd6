"""Evaluate Python expressions through the Cloudflare lowering: each expression's IR lowered to TypeScript
(:mod:`..lower.expr`), every case written into ONE TypeScript file over the shipped ``py`` runtime, bundled
once with esbuild and run once with Node.js. The differential tests compare the results with CPython's.

Handy when debugging a lowering::

    python -m portaflow.backends.cloudflare.offline.exprcheck 'xs[-1] // a' '{"xs": [7], "a": -2}'
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from portaflow.backends.pysem.oracle import expression_ir, same

from ..lower.expr import expr as lower_expr
from .node import bin_path, node_binary

RUNTIME = Path(__file__).resolve().parents[1] / "runtime"


def name_of(name: str) -> str:
    return "$" + name


@dataclass(frozen=True)
class Case:
    """One evaluation: ``expr`` over the parameters ``names`` (annotated as in ``annotations``)."""

    expr: str
    names: dict[str, Any]
    annotations: dict[str, str]


@dataclass(frozen=True)
class Outcome:
    """The lowered code's result: ``value`` (Python's json.loads of the result's json.dumps text), or the
    exception it raised, ``error`` = (type, message); ``crash``: a JavaScript error, not a Python one;
    ``refused``: the lowering refused the expression (why)."""

    value: Any = None
    error: tuple[str, str] | None = None
    crash: str | None = None
    refused: str | None = None


def lower_expression(expr: str, names: dict[str, Any], annotations: dict[str, str] | None = None) -> str:
    return lower_expr(expression_ir(expr, names, annotations), name_of)


def _program(functions: list[str], calls: list[tuple[int, list[str], str]]) -> str:
    """The TypeScript of every case: one function per expression, then the cases' calls."""
    runtime = json.dumps(str(RUNTIME / "py"))
    lines = [
        f"import * as py from {runtime};",
        "type Out = { value?: string; error?: [string, string]; crash?: string };",
        "function run(f: () => py.Value): Out {",
        "  try {",
        "    return { value: py.json_dumps(f()) as string };",
        "  } catch (e) {",
        "    if (e instanceof py.StepFailed) return { error: [e.errorType, e.message] };",
        "    if (e instanceof py.PyError) return { error: [e.type, e.message] };",
        "    return { crash: String((e as Error)?.stack ?? e) };",
        "  }",
        "}",
        *functions,
        "const out: Out[] = [];",
        *(f"out.push(run(() => f{i}({', '.join(args)})));" for i, args, _ in calls),
        "process.stdout.write(JSON.stringify(out));",
        "declare const process: { stdout: { write(s: string): void } };",
    ]
    return "\n".join(lines) + "\n"


def evaluate(cases: Sequence[Case], workdir: Path | None = None) -> list[Outcome]:
    """Every case's outcome, from one bundle and one Node.js run."""
    functions: list[str] = []
    index: dict[tuple[str, tuple[str, ...], tuple[tuple[str, str], ...]], int | str] = {}
    calls: list[tuple[int, list[str], str]] = []
    refused: dict[int, str] = {}
    for n, case in enumerate(cases):
        params = tuple(case.names)
        key = (case.expr, params, tuple(sorted(case.annotations.items())))
        if key not in index:
            try:
                body = lower_expression(case.expr, case.names, case.annotations)
            except ValueError as exc:  # the frontend or the lowering refused it
                index[key] = str(exc)
            else:
                i = len(functions)
                sig = ", ".join(f"{name_of(p)}: py.Value" for p in params)
                functions.append(f"function f{i}({sig}): py.Value {{\n  return {body};\n}}")
                index[key] = i
        got = index[key]
        if isinstance(got, str):
            refused[n] = got
            continue
        args = [f"py.fromJson(JSON.parse({json.dumps(json.dumps(case.names[p]))}))" for p in params]
        calls.append((got, args, case.expr))
    raw = _run(_program(functions, calls), workdir) if calls else []
    outcomes: list[Outcome] = []
    results = iter(raw)
    for n in range(len(cases)):
        if n in refused:
            outcomes.append(Outcome(refused=refused[n]))
            continue
        r = next(results)
        if "value" in r:
            outcomes.append(Outcome(value=json.loads(r["value"])))
        elif "error" in r:
            outcomes.append(Outcome(error=(r["error"][0], r["error"][1])))
        else:
            outcomes.append(Outcome(crash=r["crash"]))
    return outcomes


def _run(source: str, workdir: Path | None) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        ts = Path(tmp) / "cases.ts"
        js = Path(tmp) / "cases.js"
        ts.write_text(source, encoding="utf-8")
        subprocess.run(
            [
                str(bin_path("esbuild")),
                str(ts),
                "--bundle",
                "--platform=node",
                f"--outfile={js}",
                "--log-level=error",
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        done = subprocess.run([node_binary(), str(js)], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"node failed: {done.stderr[-3000:]}")
        result: list[dict[str, Any]] = json.loads(done.stdout)
        return result


# what a supported expression may raise (the catalogue's classes, and OverflowError of int(inf) and **)
RAISES = (ZeroDivisionError, TypeError, ValueError, IndexError, KeyError, OverflowError, AttributeError)


def cpython(expr: str, names: dict[str, Any]) -> tuple[bool, Any]:
    """(raised, the value or the exception) as CPython gives it (no -0.0 rewrite: TypeScript has -0)."""
    try:
        return False, eval(expr, {"json": json, "timedelta": timedelta}, dict(names))
    except RAISES as exc:
        return True, exc


def difference(expr: str, names: dict[str, Any], got: Outcome) -> str | None:
    """How ``got`` differs from CPython's result of ``expr`` over ``names``; None: it does not (the same
    value by the oracle's JSON comparison, or the same exception type and message)."""
    raised, expected = cpython(expr, names)
    where = f"{expr} with {names}"
    if got.refused is not None:
        return f"{where}: refused: {got.refused}"
    if got.crash is not None:
        return f"{where}: JavaScript error: {got.crash}"
    if raised:
        want = (type(expected).__name__, str(expected))
        return None if got.error == want else f"{where}: Python raised {want}, TypeScript gave {got}"
    if got.error is not None:
        return f"{where}: raised {got.error}, Python gave {expected!r}"
    return None if same(got.value, expected) else f"{where}: Python {expected!r}, TypeScript {got.value!r}"


def main(argv: list[str]) -> int:
    expr, names = argv[0], json.loads(argv[1]) if len(argv) > 1 else {}
    annotations = json.loads(argv[2]) if len(argv) > 2 else {}
    print(lower_expression(expr, names, annotations))
    print(evaluate([Case(expr, names, annotations)])[0])
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
