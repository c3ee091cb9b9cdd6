"""Evaluate one Python expression both ways: CPython and the generated JSONata (via jsonata-python, and via
jsonata-js, the implementation Step Functions runs, where Node.js and the npm package are installed).

Used by the differential tests and handy when debugging a lowering::

    python -m portaflow.backends.aws.offline.exprcheck 'x % -3' '{"x": 7}'
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from portaflow.backends.pysem.oracle import expression_ir
from portaflow.compiler import ir

from ..lower.jsonata import ERROR_MARKER, Lowerer, jvalue
from .jsonata_eval import evaluate, faithful


def lower_expression(
    expr: str, names: dict[str, Any], annotations: dict[str, str] | None = None
) -> tuple[str, ir.Expr]:
    """(JSONata text, IR) for ``expr`` over workflow parameters ``names``, annotated as in ``annotations``
    (a parameter without annotation has a type known only at run time)."""
    value = expression_ir(expr, names, annotations)
    low = Lowerer(lambda n: f"${n}")
    body = low.lower(value)
    return low.finish(body), value


def with_names(text: str, names: dict[str, Any]) -> str:
    """``text`` preceded by the declarations of ``names`` (workflow variables and their values)."""
    decls = "".join(f"${n} := {jvalue(v)}; " for n, v in names.items())
    return f"({decls}{text})" if decls else text


def eval_jsonata(text: str, names: dict[str, Any]) -> Any:
    with faithful():
        return evaluate(with_names(text, names))


# Evaluates a JSON list of complete expressions (stdin); prints [{"value": v} | {"error": "..."}, ...].
# $parse is Step Functions' addition (JSON.parse).
_NODE_RUNNER = r"""
const jsonata = require(process.argv[1]);
const exprs = JSON.parse(require("fs").readFileSync(0, "utf8"));
(async () => {
  const out = [];
  for (const e of exprs) {
    try {
      const v = await jsonata(e).evaluate(null, { parse: (t) => JSON.parse(t) });
      out.push({ value: v === undefined ? null : v });
    } catch (err) {
      out.push({ error: String(err.code || "") + " " + String(err.message || "") });
    }
  }
  process.stdout.write(JSON.stringify(out));
})();
"""


def jsonata_js() -> Path | None:
    """The npm package ``jsonata`` (Step Functions implements JSONata 2.0.6 in JavaScript) if it and Node.js
    are installed: ``$PORTAFLOW_JSONATA_JS``, else ``node_modules/jsonata`` here or in the source checkout
    (``scripts/test.sh`` installs it)."""
    if shutil.which("node") is None:
        return None
    env = os.environ.get("PORTAFLOW_JSONATA_JS")
    places = [Path(env)] if env else [Path.cwd() / "node_modules" / "jsonata"]
    places.append(Path(__file__).resolve().parents[4] / "node_modules" / "jsonata")
    return next((p for p in places if (p / "package.json").is_file()), None)


def eval_jsonata_js(texts: list[str], package: Path) -> list[tuple[bool, Any]]:
    """Evaluate complete expressions with jsonata-js: (True, value) or (False, error text) for each."""
    run = subprocess.run(
        ["node", "-e", _NODE_RUNNER, str(package)],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    return [(True, r["value"]) if "value" in r else (False, r["error"]) for r in json.loads(run.stdout)]


def marked_error(message: str) -> tuple[str, str] | None:
    """(type, message) of the Python exception an expression raised, from the marker in the JSONata error's
    message (or in a Step Functions Cause that wraps it); None without a marker."""
    m = re.search(re.escape(ERROR_MARKER) + r"([A-Za-z0-9+/=]+)\]", message)
    if m is None:
        return None
    err = json.loads(base64.b64decode(m.group(1)).decode())
    return str(err["type"]), str(err["message"])


def _raised(message: str) -> str:
    err = marked_error(message)
    return f"{err[0]}: {err[1]}" if err else f"(no Python error) {message}"


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
        print("offline:", json.dumps(eval_jsonata(text, names)))
    except Exception as exc:
        print("offline: raises", _raised(str(exc)))
    package = jsonata_js()
    if package is not None:
        ok, value = eval_jsonata_js([with_names(text, names)], package)[0]
        print("js     :", json.dumps(value) if ok else f"raises {_raised(str(value))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
