"""ctx.patched on Cloudflare: a deploy replaces the worker's code; instances in flight replay the new code.
An instance takes a change's new branch when the code that created it had the change: the worker's
``POST /runs`` records its change ids in the instance's params (``~patches``), which every replay reads."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

FLOW = Path(__file__).resolve().parents[1] / "conformance" / "scenarios" / "s150_patched_new_branch.py"


def test_new_instances_take_the_new_branch_and_older_ones_keep_the_old(
    portaflow_cloudflare: Callable[..., Any],
) -> None:
    cf = portaflow_cloudflare(FLOW, "onboarding")
    assert cf.patches == ("gift-after-welcome", "welcome-v2")
    new = cf.start({"name": "ada"}, run_id="new")
    assert new.output == {"mail": "sent welcome v2 to ada", "again": True, "gift": True}
    cf.patches = ()  # an instance created by the code before the change: its params hold no change ids
    old = cf.start({"name": "bob"}, run_id="old")
    assert old.output == {"mail": "sent welcome to bob", "again": False, "gift": False}


def test_the_worker_creates_instances_with_its_change_ids(tmp_path: Path) -> None:
    from portaflow.backends.cloudflare.project import index_source
    from portaflow.compiler.frontend import compile_file

    res = compile_file(FLOW, "onboarding")
    assert res.program is not None
    index = index_source(res.program)
    assert 'const PATCHES: string[] = ["gift-after-welcome", "welcome-v2"];' in index
    assert "params: startParams(body.input ?? {}, PATCHES)" in index
