"""zip()/enumerate() of a generator whose items may raise (``portaflow/backends/generators.py``): Python stops
early, Step Functions and Cloudflare compute every item first, so both refuse it (PFC040, PFC060); Azure runs
Python's own generator. A generator whose items cannot raise, and a list comprehension, compile."""

from __future__ import annotations

import pytest

from portaflow import backends
from portaflow.compiler import compile_source
from portaflow.compiler.pipeline import diagnose

HEAD = "from portaflow import Context, workflow\n\n@workflow\ndef w(ctx: Context, xs: list, ys: list):\n"


def codes(body: str, target: str) -> list[str]:
    res = compile_source(HEAD + f"    return {body}\n", "wf.py")
    return [d.code for d in diagnose(res, backends.get(target)) if d.severity == "error"]


@pytest.mark.parametrize(
    "body",
    [
        "[[a, b] for a, b in zip(xs, (10 // y for y in ys))]",
        "[[a, b] for a, b in zip((ys[i] for i in xs), ys)]",
        "[[i, v] for i, v in enumerate(int(y) for y in ys)]",
    ],
)
def test_a_generator_that_may_raise_under_zip_or_enumerate_is_refused(body: str) -> None:
    assert codes(body, "aws") == ["PFC040"]
    assert codes(body, "cloudflare") == ["PFC060"]
    assert codes(body, "azure") == []


@pytest.mark.parametrize(
    "body",
    [
        "[[a, b] for a, b in zip(xs, (y for y in ys))]",
        "[[a, b] for a, b in zip(xs, [10 // y for y in ys])]",
        "sum(10 // y for y in ys)",
        "any(10 // y > 1 for y in ys)",
    ],
)
def test_a_generator_that_cannot_raise_or_is_used_up_compiles(body: str) -> None:
    for target in ("aws", "cloudflare", "azure"):
        assert codes(body, target) == [], target


@pytest.mark.parametrize(
    "body",
    [
        "k = d.keys()\n    d['x'] = 1\n    return sorted(k)",
        "z = zip(xs, ys)\n    return [list(p) for p in z]",
        "return d.items()",
        "return str(range(3))",
    ],
)
def test_a_lazy_object_kept_as_a_value_is_refused_where_it_is_a_list(body: str) -> None:
    src = "from portaflow import Context, workflow\n\n@workflow\n"
    src += "def w(ctx: Context, d: dict, xs: list, ys: list):\n"
    res = compile_source(src + f"    {body}\n", "wf.py")
    aws = [d for d in diagnose(res, backends.get("aws")) if d.severity == "error"]
    assert [d.code for d in aws] == ["PFC040"] and "lazy" in aws[0].message
    assert [d.code for d in diagnose(res, backends.get("cloudflare")) if d.severity == "error"] == ["PFC060"]
    assert [d.code for d in diagnose(res, backends.get("azure")) if d.severity == "error"] == []


def test_a_lazy_object_used_where_it_is_made_compiles() -> None:
    src = "from portaflow import Context, workflow\n\n@workflow\ndef w(ctx: Context, d: dict, xs: list):\n"
    src += "    return [sorted(d.keys()), len(d.values()), [list(p) for p in zip(xs, xs)], 'a' in d.keys()]\n"
    res = compile_source(src, "wf.py")
    for target in ("aws", "cloudflare"):
        assert [d.code for d in diagnose(res, backends.get(target)) if d.severity == "error"] == [], target
