"""ctx.patched on Azure: the orchestrator code is replaced in place, and runs in flight replay the new code.
A run takes a change's new branch when the code that started it had the change: the app's start endpoint
records its change ids in the run's input (``~patches``), which every replay reads back."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

FLOW = Path(__file__).resolve().parents[1] / "conformance" / "scenarios" / "s150_patched_new_branch.py"


def test_a_run_started_by_this_code_takes_the_new_branch(portaflow_azure: Callable[..., Any]) -> None:
    az = portaflow_azure(FLOW, "onboarding")
    run = az.start({"name": "ada"}, run_id="new")
    assert run.output == {"mail": "sent welcome v2 to ada", "again": True, "gift": True}
    started = az.host.instances["new"].input_json
    assert '"~patches": ["gift-after-welcome", "welcome-v2"]' in started


def test_a_run_started_before_the_change_keeps_the_old_branch_under_the_new_code(
    portaflow_azure: Callable[..., Any],
) -> None:
    az = portaflow_azure(FLOW, "onboarding")
    az.host.start("onboarding", {"name": "bob"}, "old")  # its input, as the code before the change wrote it
    st = az.host.status("old")
    assert st.runtime_status == "Completed"
    assert st.output == {"mail": "sent welcome to bob", "again": False, "gift": False}


def test_the_recorded_change_ids_are_not_a_parameter() -> None:
    from portaflow.backends.azure.runtime import portaflow_azure_runtime as rt

    assert rt.start_input({"name": "ada"}, ["b", "a"]) == {"name": "ada", "~patches": ["a", "b"]}
    assert rt.start_input({"name": "ada"}, []) == {"name": "ada"}  # an app without ctx.patched
    assert rt.start_input(None, ["a"]) is None  # not an object: bind reports it as before


def test_the_start_endpoint_records_the_change_ids_of_its_code(tmp_path: Path) -> None:
    import json

    from test_http_endpoints import Client, _call, _request, _user

    from portaflow.backends.azure.offline.app import FunctionApp
    from portaflow.backends.azure.project import build_project
    from portaflow.compiler.frontend import compile_file

    res = compile_file(FLOW, "onboarding")
    assert res.program is not None
    build_project(res.program, FLOW).write(tmp_path / "app")
    app = FunctionApp(tmp_path / "app")
    try:
        client = Client()
        req = _request("POST", "http://x/api/runs?run_id=r1", json.dumps({"name": "ada"}).encode())
        assert _call(_user(app, "start_run"), req, client).status_code == 202
    finally:
        app.close()
    assert client.calls[-1] == (
        "start_new",
        "onboarding",
        "r1",
        {"name": "ada", "~patches": ["gift-after-welcome", "welcome-v2"]},
    )
