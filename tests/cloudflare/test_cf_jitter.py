"""The Cloudflare runtime's retry jitter (`jittered` in durable.ts, over crypto.subtle's SHA-256) gives
exactly `portaflow.dsl.retry.jittered`'s delays, for keys of any text (run ids are the user's) and every
fraction: both are the one formula of docs/semantics.md, "Retries"."""

from __future__ import annotations

import json
import random
import subprocess
import tempfile
from pathlib import Path

import pytest

from portaflow.dsl.retry import jitter_unit, jittered

RUNTIME = Path(__file__).parents[2] / "portaflow" / "backends" / "cloudflare" / "runtime" / "durable.ts"


def _typescript(cases: list[tuple[float, float | None, str, int]]) -> list[list[float]]:
    from portaflow.backends.cloudflare.offline.node import (
        NodeUnavailable,
        bin_path,
        ensure_node_modules,
        node_binary,
    )

    try:
        ensure_node_modules()
    except NodeUnavailable as exc:
        pytest.skip(str(exc))
    source = (
        f"import {{ jitterUnit, jittered }} from {json.dumps(str(RUNTIME.with_suffix('')))};\n"
        f"const cases: [number, number | null, string, number][] = {json.dumps(cases)};\n"
        "(async () => {\n"
        "  const out = [];\n"
        "  for (const [d, f, k, a] of cases) {\n"
        "    out.push([await jitterUnit(k, a), await jittered(d, f, k, a)]);\n"
        "  }\n"
        "  console.log(JSON.stringify(out));\n"
        "})();\n"
    )
    with tempfile.TemporaryDirectory() as tmp:
        ts, js = Path(tmp) / "jitter.ts", Path(tmp) / "jitter.js"
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
        done = subprocess.run([node_binary(), str(js)], capture_output=True, text=True, check=True)
    result: list[list[float]] = json.loads(done.stdout)
    return result


def test_the_typescript_jitter_is_the_python_jitter_exactly() -> None:
    rng = random.Random(12)
    alphabet = "abc-_:.0123456789éß漢😀"
    cases: list[tuple[float, float | None, str, int]] = []
    for _ in range(300):
        key = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 24))) + f":{rng.randint(0, 40)}"
        delay = rng.choice([1.0, 2.0, 0.25, 60.0, 3600.0, rng.uniform(0.001, 500.0)])
        fraction = rng.choice([None, 1.0, 0.5, 0.1, rng.uniform(0.001, 1.0)])
        cases.append((delay, fraction, key, rng.randint(1, 12)))
    got = _typescript(cases)
    want = [[jitter_unit(k, a), jittered(d, f, k, a)] for d, f, k, a in cases]
    assert got == want
