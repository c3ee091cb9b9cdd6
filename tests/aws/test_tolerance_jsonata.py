"""The JSONata a tolerated fan-out lowers to on Step Functions (docs/ir.md, "Partial failure") decides and
words TooManyFailures as the local engine's rule does (``portaflow.dsl.fanout``), in jsonata-python (the
harness) and in jsonata-js (what Step Functions runs), for every count of failures and both bounds."""

from __future__ import annotations

import json
from typing import Any

import pytest

from portaflow.backends.aws.lower.asl import compile_asl
from portaflow.backends.aws.offline.exprcheck import eval_jsonata, eval_jsonata_js, jsonata_js
from portaflow.compiler import compile_source
from portaflow.dsl.errors import StepFailed, TooManyFailures
from portaflow.dsl.fanout import Tolerance

SOURCE = """
from portaflow import Context, step, workflow


@step
def notify(user: str) -> str:
    return user


@workflow
def wf(ctx: Context, users: list):
    ctx.map(notify, users, {options})
    return "ok"
"""


def states(options: str) -> dict[str, Any]:
    res = compile_source(SOURCE.format(options=options), "wf.py")
    assert res.program is not None and not res.errors
    definition, diags = compile_asl(res.program)
    assert not [d for d in diags if d.severity == "error"]
    found: dict[str, Any] = {}

    def walk(x: Any) -> None:
        if isinstance(x, dict):
            for k, v in x.items():
                if isinstance(k, str) and k.startswith(("Count failures", "Too many failures")):
                    found[k.split(" L")[0]] = v
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    walk(definition)
    return found


def template(text: str) -> str:
    assert text.startswith("{% ") and text.endswith(" %}")
    return text[3:-3]


def outcomes(pattern: str) -> list[dict[str, Any]]:
    """Map results as the item Catch leaves them: "x" failed (a ValueError naming its index), "." ok."""
    return [
        {"e": {"type": "ValueError", "message": f"bad {i}", "step": "notify", "attempts": 1}}
        if c == "x"
        else {"v": i}
        for i, c in enumerate(pattern)
    ]


CASES = ["", ".", "x", "..x.", "x.x.", "xx..x", ".....x....", "xxxx"]
OPTIONS = [
    ("tolerated_failures=1", Tolerance(count=1)),
    ("tolerated_failure_percentage=25", Tolerance(percentage=25)),
    ("tolerated_failures=3, tolerated_failure_percentage=20", Tolerance(count=3, percentage=20)),
    ("tolerated_failure_percentage=33.3", Tolerance(percentage=33.3)),
]


def expected(pol: Tolerance, pattern: str) -> tuple[bool, str | None]:
    failed = pattern.count("x")
    if not pol.exceeded(failed, len(pattern)):
        return False, None
    first = pattern.index("x")
    err = StepFailed("notify", "ValueError", f"bad {first}")
    return True, str(TooManyFailures("item", failed, len(pattern), pol.describe(), first, err))


@pytest.mark.parametrize(("options", "pol"), OPTIONS)
def test_the_count_and_the_message_follow_the_local_rule(options: str, pol: Tolerance) -> None:
    found = states(options)
    [choice] = found["Count failures"]["Choices"]
    condition = template(choice["Condition"])
    error = template(found["Too many failures"]["Assign"]["pf_err"])
    var = condition.split("$filter(")[1].split(",")[0]  # the Map's results variable
    texts = []
    for pattern in CASES:
        decl = f"({var} := {json.dumps(outcomes(pattern))}; "
        texts += [decl + condition + ")", decl + error + ")"]
        over, message = expected(pol, pattern)
        scope = {var[1:]: outcomes(pattern)}
        assert eval_jsonata(condition, scope) is over, (options, pattern)
        if over:
            assert eval_jsonata(error, scope)["message"] == message
    package = jsonata_js()
    if package is None:
        pytest.fail("jsonata-js is not installed: bash scripts/test.sh installs it")
    results = eval_jsonata_js(texts, package)
    for k, pattern in enumerate(CASES):
        over, message = expected(pol, pattern)
        (ok_c, got_c), (ok_e, got_e) = results[2 * k], results[2 * k + 1]
        assert ok_c and got_c is over, (options, pattern, got_c)
        if over:
            assert ok_e and got_e["message"] == message and got_e["type"] == "TooManyFailures"
