"""Code that must stay quiet (false alarms make teams turn a linter off) and code that must be flagged."""

from __future__ import annotations

import pytest
from lint_helpers import LintTree, codes_and_lines

HEADER = "from portaflow import workflow, step, Context, StepFailed\n"

QUIET = {
    "ctx primitives": """
@workflow
def wf(ctx: Context):
    return ctx.now(), ctx.uuid4(), ctx.random(), ctx.sleep("1h"), ctx.wait_for_event("go", timeout="3d"), \\
        ctx.idempotency_key()
""",
    "sorted set": """
@workflow
def wf(ctx, xs):
    for x in sorted(set(xs)):
        pass
    return [y for y in sorted({1, 2})]
""",
    "local variable shadowing random": """
import random

@workflow
def wf(ctx, deck):
    random = deck
    return random.choice(0)
""",
    "parameter shadowing time": """
import time

@workflow
def wf(ctx, time):
    return time.time()
""",
    "for target shadowing uuid": """
import uuid

@workflow
def wf(ctx, records):
    for uuid in records:
        uuid.uuid4()
""",
    "timedelta and datetime construction": """
import datetime
from datetime import timedelta, timezone

@workflow
def wf(ctx, s: str):
    return datetime.timedelta(hours=1) + timedelta(days=2), \\
        datetime.datetime(2024, 1, 1, tzinfo=timezone.utc), \\
        datetime.datetime.fromisoformat(s), datetime.date(2024, 1, 2).isoformat()
""",
    "time formatting of a given value": """
import time

@workflow
def wf(ctx, t: float):
    return time.strftime("%Y", time.gmtime(t)), time.strftime("%H", time.localtime(t)), time.ctime(t)
""",
    "json math string formatting": """
import json, math, string, re, textwrap

@workflow
def wf(ctx, raw: str, n: float):
    data = json.loads(raw)
    text = "{} {:.2f}".format(data, math.floor(n)) + f"{n!r:>8}" + "%s" % n
    return json.dumps(data, sort_keys=True), string.Template("$x").substitute(x=1), re.sub("a", "b", text), \\
        textwrap.dedent(text)
""",
    "dict iteration": """
@workflow
def wf(ctx, prices: dict):
    total = 0
    for name, price in prices.items():
        total += price
    return {k: v for k, v in prices.items()}, list(prices), [k for k in prices.keys()], next(iter(prices))
""",
    "nondeterminism inside steps": """
import time, random, uuid, os, requests

@step
def side_effects() -> dict:
    time.sleep(1)
    return {"t": time.time(), "r": random.random(), "u": str(uuid.uuid4()), "e": os.environ.get("X"),
            "h": requests.get("https://x.example").status_code}

@workflow
def wf(ctx):
    return side_effects()
""",
    "code no workflow reaches": """
import time, random

def helper():
    return time.time() + random.random()

class Unused:
    def method(self):
        return helper()

def main():
    print(helper())
""",
    "module level code runs at import, not in the workflow": """
import os, time

START = time.time()
API_URL = os.environ.get("API_URL", "http://localhost")

@workflow
def wf(ctx):
    return API_URL
""",
    "except StepFailed and Exception": """
@step
def charge(x): ...

@workflow
def wf(ctx, x):
    try:
        return charge(x)
    except StepFailed as failure:
        return str(failure)
    except (ValueError, TypeError):
        return None
""",
    "local list and dict mutation": """
@workflow
def wf(ctx, xs):
    acc, index = [], {}
    for x in xs:
        acc.append(x)
        index[x] = len(acc)
    acc.sort()
    return acc, index
""",
    "hash-free id usage via attribute": """
@workflow
def wf(ctx, order: dict):
    return order["id"], order.get("hash")
""",
    "random attribute of a non-module object": """
@workflow
def wf(ctx, sampler):
    return sampler.random(), sampler.uuid4(), sampler.sleep(3)
""",
    "pathlib pure path manipulation": """
from pathlib import Path, PurePosixPath

@workflow
def wf(ctx, name: str):
    p = Path("reports") / name
    return str(p.with_suffix(".txt")), p.name, p.parent.as_posix(), PurePosixPath(name).stem
""",
    "uuid parsing and name-based uuids": """
import uuid

@workflow
def wf(ctx, s: str):
    return uuid.UUID(s), uuid.uuid5(uuid.NAMESPACE_DNS, s)
""",
    "set membership and size": """
@workflow
def wf(ctx, allowed: set[str], user: str):
    return user in allowed, len(allowed), allowed | {"root"}, any(a.startswith("x") for a in allowed)
""",
    "logging-free print of values": """
@workflow
def wf(ctx, x):
    print("processing", x)
    return x
""",
    "noqa on the line": """
import time

@workflow
def wf(ctx):
    return time.time()  # noqa: PF101
""",
}

FLAGGED = {
    "aliased from-import of time": (
        "from time import time as now\n@workflow\ndef wf(ctx):\n    return now()\n",
        [("PF101", 5)],
    ),
    "import datetime as dt": (
        "import datetime as dt\n@workflow\ndef wf(ctx):\n    return dt.datetime.now()\n",
        [("PF101", 5)],
    ),
    "from datetime import datetime": (
        "from datetime import datetime\n@workflow\ndef wf(ctx):\n    return datetime.utcnow()\n",
        [("PF101", 5)],
    ),
    "date.today": (
        "from datetime import date\n@workflow\ndef wf(ctx):\n    return date.today()\n",
        [("PF101", 5)],
    ),
    "import inside the workflow": (
        "@workflow\ndef wf(ctx):\n    import random\n    return random.randint(1, 2)\n",
        [("PF102", 5)],
    ),
    "unseeded Random": (
        "import random\n@workflow\ndef wf(ctx):\n    return random.Random().random()\n",
        [("PF102", 5)],
    ),
    "numpy random": (
        "import numpy\n@workflow\ndef wf(ctx):\n    return numpy.random.randint(3)\n",
        [("PF102", 5)],
    ),
    "uuid1": ("import uuid\n@workflow\ndef wf(ctx):\n    return uuid.uuid1()\n", [("PF103", 5)]),
    "asyncio sleep": ("import asyncio\n@workflow\ndef wf(ctx):\n    asyncio.sleep(1)\n", [("PF104", 5)]),
    "open builtin": ("@workflow\ndef wf(ctx):\n    return open('x').read()\n", [("PF105", 4)]),
    "httpx client": (
        "import httpx\n@workflow\ndef wf(ctx):\n    with httpx.Client() as c:\n        return c.get('u')\n",
        [("PF105", 5)],
    ),
    "urllib request": (
        "import urllib.request\n@workflow\ndef wf(ctx):\n    return urllib.request.urlopen('u')\n",
        [("PF105", 5)],
    ),
    "http client": (
        "import http.client\n@workflow\ndef wf(ctx):\n    return http.client.HTTPSConnection('h')\n",
        [("PF105", 5)],
    ),
    "socket": (
        "import socket\n@workflow\ndef wf(ctx):\n    return socket.create_connection(('h', 1))\n",
        [("PF105", 5)],
    ),
    "aiohttp": (
        "import aiohttp\n@workflow\ndef wf(ctx):\n    return aiohttp.ClientSession()\n",
        [("PF105", 5)],
    ),
    "popen": ("import os\n@workflow\ndef wf(ctx):\n    return os.popen('ls')\n", [("PF105", 5)]),
    "input": ("@workflow\ndef wf(ctx):\n    return input()\n", [("PF105", 4)]),
    "pathlib read": (
        "from pathlib import Path\n@workflow\ndef wf(ctx, p: Path):\n    return p.read_text()\n",
        [("PF105", 5)],
    ),
    "anthropic client": (
        "from anthropic import Anthropic\n@workflow\ndef wf(ctx):\n    return Anthropic()\n",
        [("PF105", 5)],
    ),
    "boto3 resource": (
        "import boto3\n@workflow\ndef wf(ctx):\n    return boto3.resource('s3')\n",
        [("PF105", 5)],
    ),
    "getenv": ("import os\n@workflow\ndef wf(ctx):\n    return os.getenv('X')\n", [("PF106", 5)]),
    "unsetenv": ("import os\n@workflow\ndef wf(ctx):\n    os.unsetenv('X')\n", [("PF106", 5)]),
    "create_task": (
        "import asyncio\n@workflow\ndef wf(ctx, c):\n    return asyncio.create_task(c)\n",
        [("PF107", 5)],
    ),
    "asyncio wait": (
        "import asyncio\n@workflow\ndef wf(ctx, c):\n    return asyncio.wait(c)\n",
        [("PF107", 5)],
    ),
    "process pool": (
        "from concurrent.futures import ProcessPoolExecutor\n@workflow\ndef wf(ctx):\n"
        "    return ProcessPoolExecutor()\n",
        [("PF107", 5)],
    ),
    "multiprocessing process": (
        "import multiprocessing\n@workflow\ndef wf(ctx):\n    return multiprocessing.Process(target=print)\n",
        [("PF107", 5)],
    ),
    "set literal loop": (
        "@workflow\ndef wf(ctx, step_a):\n    for s in {'a', 'b'}:\n        step_a(s)\n",
        [("PF108", 4)],
    ),
    "frozenset loop": (
        "@workflow\ndef wf(ctx, xs):\n    for s in frozenset(xs):\n        pass\n",
        [("PF108", 4)],
    ),
    "name bound to set": (
        "@workflow\ndef wf(ctx, xs):\n    seen = set()\n    seen.add(1)\n    return [s for s in seen]\n",
        [("PF108", 6)],
    ),
    "bare except in helper": (
        "def h(f):\n    try:\n        f()\n    except:\n        pass\n"
        "@workflow\ndef wf(ctx):\n    h(print)\n",
        [("PF110", 5)],
    ),
    "except BaseException": (
        "@workflow\ndef wf(ctx):\n    try:\n        ctx.sleep(1)\n    except BaseException:\n        pass\n",
        [("PF110", 6)],
    ),
    "except star BaseException": (
        "@workflow\ndef wf(ctx):\n    try:\n        ctx.sleep(1)\n    except* BaseException:\n        pass\n",
        [("PF110", 6)],
    ),
}


@pytest.mark.parametrize("code", list(QUIET.values()), ids=list(QUIET))
def test_stays_quiet(lint_tree: LintTree, code: str) -> None:
    assert codes_and_lines(lint_tree({"flows.py": HEADER + code})) == []


@pytest.mark.parametrize(("code", "expected"), list(FLAGGED.values()), ids=list(FLAGGED))
def test_is_flagged(lint_tree: LintTree, code: str, expected: list[tuple[str, int]]) -> None:
    assert codes_and_lines(lint_tree({"flows.py": HEADER + code})) == expected
