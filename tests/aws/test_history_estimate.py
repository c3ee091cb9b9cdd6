"""PFW100's figure is an upper bound on the history events one loop iteration records, measured on moto."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from portaflow.backends import get
from portaflow.backends.aws.offline.harness import AwsHarness
from portaflow.compiler.frontend import compile_file
from portaflow.compiler.pipeline import diagnose

HEAD = """from portaflow import Context, step, workflow


@step
def work(i: int) -> dict:
    return {"v": i}


@workflow
def looped(ctx: Context, n: int) -> int:
    total = 0
    d = {"a": 1}
"""

LOOPS = {
    "steps_in_a_try": """    for i in range(n):
        try:
            r = work(i)
            total = total + r["v"] + d["a"] // (i + 1)
            if r["v"] > 100:
                break
        except KeyError:
            total = -1
    return total
""",
    "parallel_and_sleep": """    i = 0
    while i < n:
        a, b = ctx.parallel(lambda: work(i), lambda: work(i + 1))
        ctx.sleep("1s")
        total += a["v"] + b["v"]
        i += 1
    return total
""",
    "map_and_if": """    for i in range(n):
        rs = ctx.map(work, [i, i + 1], max_concurrency=2)
        if rs[0]["v"] % 2 == 0:
            total += 1
        else:
            total -= 1
    return total
""",
}


@pytest.mark.parametrize("name", sorted(LOOPS))
def test_the_warning_bounds_one_iteration_from_above(name: str, tmp_path: Path) -> None:
    path = tmp_path / f"{name}.py"
    path.write_text(HEAD + LOOPS[name])
    res = compile_file(path)
    [warning] = [d for d in diagnose(res, get("aws")) if d.code == "PFW100"]
    m = re.search(r"up to (\d+) history events per iteration", warning.message)
    assert m is not None, warning.message
    estimate = int(m.group(1))
    events = {}
    with AwsHarness(path) as aws:
        for n in (1, 6):
            run = aws.start({"n": n})
            assert run.status == "completed", run.error
            events[n] = len(run.history())
    measured = (events[6] - events[1]) / 5
    assert measured <= estimate <= 2 * measured, (measured, estimate)


def test_a_list_growing_in_a_loop_is_named_as_written_even_inside_an_inlined_helper() -> None:
    """PFW101 names the variable the user wrote, not the compiler's name for an inlined helper's local."""
    from portaflow.backends import get
    from portaflow.compiler import compile_source
    from portaflow.compiler.pipeline import target_diagnostics

    src = (
        "from portaflow import Context, workflow\n\n"
        "def collect(items: list) -> list:\n    lines = []\n    for i in items:\n"
        "        lines.append(i)\n    return lines\n\n"
        "@workflow\ndef w(ctx: Context, xs: list) -> list:\n    return collect(xs)\n"
    )
    res = compile_source(src, "wf.py")
    assert res.program is not None
    warnings = [d for d in target_diagnostics(get("aws"), res.program) if d.code == "PFW101"]
    assert [(d.line, d.message.split(" grows")[0]) for d in warnings] == [(6, "list 'lines'")]
