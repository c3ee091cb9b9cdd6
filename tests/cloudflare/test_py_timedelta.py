"""datetime.timedelta and datetime arithmetic in the Cloudflare py runtime (pytimedelta.ts), against CPython:
the constructor's normalisation, the attributes, str/repr, arithmetic rounded half to even, comparisons, and
Python's errors (each expression lowered through the frontend and run in one Node.js bundle); and datetimes
from Cloudflare's millisecond clock moved by timedeltas (a TypeScript program checked against datetime)."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from portaflow.backends.cloudflare.offline.exprcheck import RUNTIME, Case, Outcome, difference, evaluate
from portaflow.backends.cloudflare.offline.node import (
    NodeUnavailable,
    bin_path,
    ensure_node_modules,
    node_binary,
)

ANNOTATIONS = {"a": "int", "n": "int", "b": "float"}
ENV: dict[str, Any] = {"a": 2, "n": -3, "b": 1.5, "v": 1, "w": 1.5}  # v, w: types known at run time
TD = "timedelta(days=a, hours=3, minutes=n, seconds=7, microseconds=500001)"

CASES = [
    # the constructor normalises to days, 0 <= seconds < 86400, 0 <= microseconds < 10**6
    f"[str({TD}), str(timedelta(seconds=-1)), str(timedelta(weeks=1, minutes=-1, milliseconds=1))]",
    f"[{TD}.days, {TD}.seconds, {TD}.microseconds, (-{TD}).days, (-{TD}).seconds, (-{TD}).microseconds]",
    "[str(timedelta(a, 3, 4)), str(timedelta(0)), str(timedelta(days=-1)), str(timedelta(hours=24 * a + 1))]",
    f"[f'{{{TD}!r}}', str([timedelta(0), timedelta(-1), timedelta(microseconds=n)]), f'{{{TD}}}']",
    # total_seconds(): microseconds / 10**6, correctly rounded, also past 2**53 microseconds
    f"[{TD}.total_seconds(), timedelta(microseconds=n).total_seconds(), "
    "timedelta(days=999999999, hours=23, minutes=59, seconds=59, microseconds=999999).total_seconds()]",
    # arithmetic: products and quotients rounded half to even, floor division and modulo as for ints
    f"[str({TD} + {TD}), str({TD} - timedelta(days=3)), str({TD} * a), str(n * {TD}), str({TD} * b)]",
    "[str(timedelta(microseconds=5) / 2), str(timedelta(microseconds=7) / 2), "
    "str(timedelta(microseconds=-5) / 2), str(timedelta(microseconds=3) * 0.5), "
    "str(timedelta(microseconds=5) * 0.5), str(timedelta(seconds=1) / b)]",
    f"[{TD} / timedelta(hours=1), {TD} // timedelta(hours=1), str({TD} % timedelta(hours=1)), "
    f"str({TD} // n), str(-{TD}), str(+{TD}), str(abs(-{TD}))]",
    "[timedelta(0) / timedelta(seconds=-1), timedelta(seconds=1) / timedelta(seconds=3), "
    "str(timedelta(seconds=-7) // 2), str(timedelta(seconds=-7) % timedelta(seconds=2))]",
    # comparisons and truth
    f"[{TD} < {TD} * 2, {TD} == {TD}, {TD} == 0, {TD} != 'x', timedelta(0) >= timedelta(microseconds=-1)]",
    f"[bool(timedelta(0)), not {TD}, 'yes' if timedelta(microseconds=1) else 'no', "
    f"str(sorted([{TD}, -{TD}, timedelta(0)])), str(max([{TD}, {TD} * 2]))]",
    # sum() with a timedelta start, membership, dict keys (equal timedeltas are one key)
    f"[str(sum([{TD}, {TD}], timedelta(0))), {TD} in [{TD} * 1], str(dict([[{TD}, 1], [{TD} * 1, 2]]))]",
    f"sum([{TD}])",
    # Python's errors
    f"{TD} + v",
    f"v - {TD}",
    f"{TD} < v",
    f"{TD} / 0",
    f"{TD} // 0",
    f"{TD} % timedelta(0)",
    f"{TD} / timedelta(0)",
    f"{TD} // timedelta(0)",
    f"{TD} * float('nan')",
    f"{TD} * float('inf')",
    f"{TD} // w",
    f"v / {TD}",
    "timedelta(days=999999999) + timedelta(days=1)",
    "timedelta(days=-999999999) - timedelta(microseconds=1)",
    "str(-timedelta(days=-999999999))",
    "timedelta(days=999999999, hours=24)",
    "timedelta(days=a * 500000000)",
    "timedelta(days=a) * 10 ** 12",
    f"json.dumps({TD})",
    f"json.dumps([{TD}])",
]


@pytest.fixture(scope="module")
def node() -> None:
    try:
        ensure_node_modules()
    except NodeUnavailable as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="module")
def outcomes(node: None) -> list[Outcome]:
    return evaluate([Case(e, ENV, ANNOTATIONS) for e in CASES])


@pytest.mark.parametrize("i", range(len(CASES)), ids=[e[:60] for e in CASES])
def test_timedelta_agrees_with_cpython(i: int, outcomes: list[Outcome]) -> None:
    problem = difference(CASES[i], ENV, outcomes[i])
    assert problem is None, problem


# ------------------------------------------------------------------- datetimes moved by timedeltas
MILLIS = [0, 1_714_564_800_123, -1, 4_102_444_799_999]
DELTAS = [  # microseconds
    1,
    -1,
    999,
    86_400 * 10**6 * 365 + 1,
    -(86_400 * 10**6) * 719_163,  # to 0001-01-01
    -(86_400 * 10**6) * 719_163 - 1,  # before it: OverflowError
    86_400 * 10**6 * 2_932_896,  # to 9999-12-31
    -(86_400 * 10**6) * 719_163 + 86_400 * 10**6 * 365 * 50 + 13 * 3600 * 10**6,  # 0050-12-19 13:00
    86_400 * 10**6 * (31 + 29) + 12 * 3600 * 10**6,  # the leap day, noon
]

# every directive strftime compiles with (frontend/datetimes.py), and text around them
FORMAT = "%Y-%m-%d %H:%M:%S.%f %y %b %B %a %A day %j %I%p %z %Z 100%% é"

DIRECT = """
import * as py from %(runtime)s;
declare const process: { stdout: { write(s: string): void } };
const catching = (f: () => unknown): unknown => {
  try {
    return ["ok", f()];
  } catch (e) {
    return e instanceof py.PyError ? [e.type, e.message] : ["js", String(e)];
  }
};
const millis: number[] = %(millis)s;
const deltas: string[] = %(deltas)s;
const out = millis.flatMap((ms) =>
  deltas.map((us) => {
    const t = py.datetimeFromMillis(ms);
    const d = new py.PyTimedelta(BigInt(us));
    return catching(() => {
      const u = py.add(t, d);
      const back = py.sub(u, t);
      return [py.str(u), py.repr(u), py.datetime_isoformat(u), py.datetime_timestamp(u), py.str(back),
        py.datetime_year(u), py.datetime_month(u), py.datetime_day(u), py.datetime_hour(u),
        py.datetime_minute(u), py.datetime_second(u), py.datetime_microsecond(u),
        py.compare("<", t, u), py.compare("==", py.sub(u, d), t), py.str(py.add(d, t)), py.str(py.sub(t, d)),
        py.datetime_strftime(u, %(format)s)];
    });
  }),
);
process.stdout.write(JSON.stringify(out));
"""


def _expected(ms: int, us: int) -> list[Any]:
    t = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=ms)
    d = timedelta(microseconds=us)
    try:
        u = t + d
        fields = [u.year, u.month, u.day, u.hour, u.minute, u.second, u.microsecond]
        tail = [t < u, u - d == t, str(d + t), str(t - d), u.strftime(FORMAT)]
        return ["ok", [str(u), repr(u), u.isoformat(), u.timestamp(), str(u - t), *fields, *tail]]
    except OverflowError as exc:
        return ["OverflowError", str(exc)]


def test_datetimes_move_by_timedeltas_as_in_python(node: None, tmp_path: Any) -> None:
    ts, js = tmp_path / "direct.ts", tmp_path / "direct.js"
    ts.write_text(
        DIRECT
        % {
            "runtime": json.dumps(str(RUNTIME / "py")),
            "millis": json.dumps(MILLIS),
            "deltas": json.dumps([str(us) for us in DELTAS]),
            "format": json.dumps(FORMAT),
        }
    )
    subprocess.run(
        [str(bin_path("esbuild")), str(ts), "--bundle", "--platform=node", f"--outfile={js}"], check=True
    )
    done = subprocess.run([node_binary(), str(js)], capture_output=True, text=True, check=True)
    got = json.loads(done.stdout)
    expected = [_expected(ms, us) for ms in MILLIS for us in DELTAS]
    assert got == json.loads(json.dumps(expected))
