"""The conformance columns side by side: the wall time of each target's offline executor on the same
scenarios in one run, next to the local engine (the peer every column is compared with).

    python benchmarks/columns.py                  # every scenario, every registered target
    python benchmarks/columns.py --quick          # the first 10 scenarios
    python benchmarks/columns.py --targets local,cloudflare

Each scenario runs on each column in turn (so load from elsewhere hits them alike), as the conformance
suite runs it (tests/conformance/columns.py): a fresh executor per scenario, its engine or emulator shared
by the process where the backend shares one (moto, Miniflare). The first row of a column includes its
start-up (the Cloudflare column starts workerd once, about a second); the table prints the total, the
median per scenario, and the slowest scenario of each column.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))


def main() -> None:
    from conformance.columns import load_module, run_local, run_target, scenario_files, targets

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="the first 10 scenarios only")
    parser.add_argument("--targets", default="", help="comma-separated columns (default: every one)")
    args = parser.parse_args()
    columns = args.targets.split(",") if args.targets else targets()
    files = scenario_files()[: 10 if args.quick else None]
    times: dict[str, list[tuple[float, str]]] = {c: [] for c in columns}
    with tempfile.TemporaryDirectory() as tmp:
        for path in files:
            scenario = load_module(path).SCENARIO
            for column in columns:
                if column in scenario.get("refuses", {}):
                    continue  # refused at compile time: nothing runs
                start = time.perf_counter()
                try:
                    if column == "local":
                        run_local(path, load_module(path).SCENARIO, Path(tmp))
                    else:
                        run_target(column, path, load_module(path).SCENARIO)
                except Exception as exc:  # a column that cannot run it: not timed
                    print(f"{column:<11} {path.stem}: {type(exc).__name__}", file=sys.stderr)
                    continue
                times[column].append((time.perf_counter() - start, path.stem))
    print(f"{len(files)} scenarios; seconds of wall time per column (one process, columns taking turns)")
    print(f"{'column':<12}{'scenarios':>10}{'total':>10}{'median':>10}{'slowest':>10}  slowest scenario")
    for column, rows in times.items():
        if not rows:
            continue
        secs = [t for t, _ in rows]
        worst = max(rows)
        print(
            f"{column:<12}{len(rows):>10}{sum(secs):>10.2f}{statistics.median(secs):>10.3f}{worst[0]:>10.2f}"
            f"  {worst[1]}"
        )


if __name__ == "__main__":
    main()
