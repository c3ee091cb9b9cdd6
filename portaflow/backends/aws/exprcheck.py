"""Evaluate one Python expression both ways: CPython and the generated JSONata (via jsonata-python).

Used by the differential tests and handy when debugging a lowering::

    python -m portaflow.backends.aws.exprcheck 'x % -3' '{"x": 7}'
"""

from __future__ import annotations

import base64
import json
import re
import sys
from typing import Any

from portaflow.compiler import ir
from portaflow.compiler.frontend import compile_source

from .jsonata import ERROR_MARKER, Lowerer, jvalue
from .jsonata_eval import evaluate, faithful


def lower_expression(
    expr: str, names: dict[str, Any], annotations: dict[str, str] | None = None
) -> tuple[str, ir.Expr]:
    """(JSONata text, IR) for ``expr`` over workflow parameters ``names``, annotated as in ``annotations``
    (a parameter without annotation has a type known only at run time)."""
    ann = annotations or {}
    params = "".join(f", {n}: {ann[n]}" if n in ann else f", {n}" for n in names)
    src = (
        f"import json\nfrom portaflow import workflow\n\n@workflow\ndef w(ctx{params}):\n    return {expr}\n"
    )
    res = compile_source(src, "<expr>")
    if res.errors or res.program is None:
        raise ValueError("; ".join(d.message for d in res.errors))
    ret = res.program.workflows["w"].body[-1]
    assert isinstance(ret, ir.Return)
    low = Lowerer(lambda n: f"${n}")
    body = low.lower(ret.value)
    return low.finish(body), ret.value


def eval_jsonata(text: str, names: dict[str, Any]) -> Any:
    decls = "".join(f"${n} := {jvalue(v)}; " for n, v in names.items())
    full = f"({decls}{text})" if decls else text
    with faithful():
        return evaluate(full)


def marked_error(message: str) -> tuple[str, str] | None:
    """(type, message) of the Python exception an expression raised, from the marker in the JSONata error's
    message (or in a Step Functions Cause that wraps it); None without a marker."""
    m = re.search(re.escape(ERROR_MARKER) + r"([A-Za-z0-9+/=]+)\]", message)
    if m is None:
        return None
    err = json.loads(base64.b64decode(m.group(1)).decode())
    return str(err["type"]), str(err["message"])


def main(argv: list[str]) -> int:
    expr = argv[0]
    names = json.loads(argv[1]) if len(argv) > 1 else {}
    text, _ = lower_expression(expr, names)
    print("jsonata:", text)
    try:
        print("python :", json.dumps(eval(expr, {"json": json}, dict(names))))
    except Exception as exc:
        print("python : raises", f"{type(exc).__name__}: {exc}")
    try:
        print("aws    :", json.dumps(eval_jsonata(text, names)))
    except Exception as exc:
        err = marked_error(str(exc))
        print("aws    : raises", f"{err[0]}: {err[1]}" if err else f"(no Python error) {exc}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
