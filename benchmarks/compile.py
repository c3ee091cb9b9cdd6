"""Compile benchmark: a generated workflow of 1,000 step calls with branches and loops.

    python benchmarks/compile.py [--steps 1000] [--repeat 3]

Prints the time of `portaflow compile --target aws` (libcst parse + IR + ASL) and states per second. If the
PyPI package `sfnx` is importable (it is not a dependency: `pip install --target /tmp/sfnx sfnx==3.1.0` and
`PYTHONPATH=/tmp/sfnx`), the equivalent program (same calls, branches and loops, as Lambda invoke Tasks) is
compiled by sfnx in the same run and the ratio printed.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path


def _blocks(steps: int) -> int:
    return max(1, steps // 5)  # each block: 5 step calls (if/else: 2 + 1, for-loop body: 1, + 1)


def portaflow_source(steps: int) -> str:
    lines = [
        "from portaflow import Context, step, workflow",
        "",
        "",
        "@step",
        "def work(n: int, x: int) -> int:",
        "    return n + x",
        "",
        "",
        "@workflow",
        "def big(ctx: Context, x: int) -> int:",
        "    total = 0",
    ]
    for b in range(_blocks(steps)):
        lines += [
            f"    a{b} = work({5 * b}, x)",
            f"    if a{b} % 2 == 0:",
            f"        b{b} = work({5 * b + 1}, a{b})",
            "    else:",
            f"        b{b} = work({5 * b + 2}, x)",
            f"    for i{b} in range(2):",
            f"        c{b} = work({5 * b + 3}, i{b})",
            f"        total = total + c{b}",
            f"    d{b} = work({5 * b + 4}, b{b})",
            f"    total = total + d{b}",
        ]
    lines.append("    return total")
    return "\n".join(lines) + "\n"


def sfnx_source(steps: int) -> str:
    call = 'aws.optimized.lambda_.invoke(FunctionName="work", Payload={{"n": {n}, "x": {x}}})["Payload"]'
    lines = [
        "from sfnx import aws, state_machine",
        "",
        "",
        "@state_machine",
        "def big(event: dict) -> dict:",
        '    x: int = event["x"]',
        "    total: int = 0",
    ]
    for b in range(_blocks(steps)):
        lines += [
            f"    a{b}: int = " + call.format(n=5 * b, x="x"),
            f"    if a{b} % 2 == 0:",
            f"        b{b}: int = " + call.format(n=5 * b + 1, x=f"a{b}"),
            "    else:",
            f"        b{b} = " + call.format(n=5 * b + 2, x="x"),
            f"    for i{b} in range(2):",
            f"        c{b}: int = " + call.format(n=5 * b + 3, x=f"i{b}"),
            f"        total = total + c{b}",
            f"    d{b}: int = " + call.format(n=5 * b + 4, x=f"b{b}"),
            f"    total = total + d{b}",
        ]
    lines.append('    return {"total": total}')
    return "\n".join(lines) + "\n"


def count_states(definition: dict) -> int:  # type: ignore[type-arg]
    n = 0
    for st in definition.get("States", {}).values():
        n += 1
        for br in st.get("Branches", []):
            n += count_states(br)
        if "ItemProcessor" in st:
            n += count_states(st["ItemProcessor"])
    return n


def bench_portaflow(src: Path, repeat: int) -> tuple[float, int]:
    from portaflow.backends.aws.lower.asl import compile_asl
    from portaflow.compiler import compile_file

    times, states = [], 0
    for _ in range(repeat):
        t = time.perf_counter()
        res = compile_file(src)
        assert res.program is not None and not res.errors, res.errors
        definition, diags = compile_asl(res.program)
        assert not [d for d in diags if d.severity == "error"]
        times.append(time.perf_counter() - t)
        states = count_states(definition)
    return statistics.median(times), states


def bench_sfnx(src: Path, repeat: int) -> tuple[float, int] | None:
    try:
        from sfnx.cli import definitions, read  # type: ignore[import-not-found]
    except ImportError:
        return None
    times, states = [], 0
    for _ in range(repeat):
        t = time.perf_counter()
        found = definitions(read(str(src)), str(src), False)
        times.append(time.perf_counter() - t)
        states = sum(count_states(d) for d in found.values())
    return statistics.median(times), states


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        pf = Path(d) / "big.py"
        pf.write_text(portaflow_source(args.steps))
        sx = Path(d) / "big_sfnx.py"
        sx.write_text(sfnx_source(args.steps))
        t, states = bench_portaflow(pf, args.repeat)
        print(f"portaflow: {args.steps} step calls, {states} states, {t:.3f} s, {states / t:,.0f} states/s")
        other = bench_sfnx(sx, args.repeat)
        if other is None:
            print("sfnx: not importable (optional; see the docstring)")
        else:
            t2, states2 = other
            rate = states2 / t2
            print(f"sfnx:      {args.steps} step calls, {states2} states, {t2:.3f} s, {rate:,.0f} states/s")
            print(f"ratio (portaflow time / sfnx time): {t / t2:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
