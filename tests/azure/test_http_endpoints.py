"""The generated app's HTTP endpoints, called as the Functions host calls them (a real azure.functions
HttpRequest), with a recording stand-in for the Durable client: start a run (its id checked, started once),
raise an event, read a run's status with its error as type and message."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import azure.functions as func
import pytest

from portaflow.backends.azure.offline.app import FunctionApp
from portaflow.backends.azure.project import build_project
from portaflow.compiler.frontend import compile_file

APPROVAL = Path(__file__).parents[2] / "examples" / "approval.py"


class Client:
    """What the endpoints use of DurableOrchestrationClient, recorded."""

    def __init__(self, status: Any = None) -> None:
        self.calls: list[tuple[Any, ...]] = []
        self.status = status

    async def start_new(self, name: str, instance_id: str | None, body: Any) -> str:
        self.calls.append(("start_new", name, instance_id, body))
        return instance_id or "generated-id"

    async def get_status(self, instance_id: str) -> Any:
        self.calls.append(("get_status", instance_id))
        return self.status

    async def raise_event(self, instance_id: str, name: str, payload: Any) -> None:
        self.calls.append(("raise_event", instance_id, name, payload))

    def create_check_status_response(self, req: func.HttpRequest, instance_id: str) -> func.HttpResponse:
        return func.HttpResponse(json.dumps({"id": instance_id}), status_code=202)


@pytest.fixture(scope="module")
def endpoints(tmp_path_factory: pytest.TempPathFactory) -> Any:
    res = compile_file(APPROVAL)
    assert res.program is not None
    out = tmp_path_factory.mktemp("approval-app")
    build_project(res.program, APPROVAL).write(out)
    app = FunctionApp(out)
    yield app
    app.close()


def _user(app: FunctionApp, name: str) -> Any:
    """The endpoint's own code: the builder's function without the SDK's client middleware (which would
    build a real client from the host's binding string)."""
    fn = getattr(app.module, name)._function.get_user_function()
    return getattr(fn, "__wrapped__", fn)


def _call(fn: Any, req: func.HttpRequest, client: Client) -> func.HttpResponse:
    return asyncio.run(fn(req, client))


def _request(method: str, url: str, body: bytes = b"", **route: str) -> func.HttpRequest:
    params = dict(p.split("=", 1) for p in url.partition("?")[2].split("&") if p)
    return func.HttpRequest(method, url, body=body, params=params, route_params=route)


def test_start_run_starts_the_orchestrator_with_the_body_as_input(endpoints: FunctionApp) -> None:
    client = Client()
    body = json.dumps({"ticket": {"id": "T-1", "order_id": "A1001"}}).encode()
    resp = _call(
        _user(endpoints, "start_run"), _request("POST", "http://x/api/runs?run_id=order-1", body), client
    )
    assert resp.status_code == 202 and json.loads(resp.get_body()) == {"id": "order-1"}
    assert client.calls[-1] == (
        "start_new",
        "refund",
        "order-1",
        {"ticket": {"id": "T-1", "order_id": "A1001"}},
    )


def test_start_run_refuses_a_bad_run_id_and_a_body_that_is_not_json(endpoints: FunctionApp) -> None:
    client = Client()
    bad_id = _call(
        _user(endpoints, "start_run"), _request("POST", "http://x/api/runs?run_id=a/b", b"{}"), client
    )
    assert bad_id.status_code == 400 and b"run_id" in bad_id.get_body()
    bad_body = _call(
        _user(endpoints, "start_run"), _request("POST", "http://x/api/runs", b"{not json"), client
    )
    assert bad_body.status_code == 400
    assert not [c for c in client.calls if c[0] == "start_new"]


def test_a_run_id_is_started_once(endpoints: FunctionApp) -> None:
    client = Client(status=SimpleNamespace(runtime_status=SimpleNamespace(value="Running")))
    resp = _call(
        _user(endpoints, "start_run"), _request("POST", "http://x/api/runs?run_id=r1", b"{}"), client
    )
    assert resp.status_code == 202 and not [c for c in client.calls if c[0] == "start_new"]


def test_send_event_raises_it_with_its_payload(endpoints: FunctionApp) -> None:
    client = Client()
    req = _request(
        "POST", "http://x/api/runs/r1/events/approval", b'{"approved": true}', run_id="r1", event="approval"
    )
    resp = _call(_user(endpoints, "send_event"), req, client)
    assert resp.status_code == 202
    assert client.calls == [("raise_event", "r1", "approval", {"approved": True})]


def test_run_status_reports_a_failure_as_type_and_message(endpoints: FunctionApp) -> None:
    error = json.dumps({"portaflow_error": 1, "type": "KeyError", "message": "'C3003'"})
    status = SimpleNamespace(
        instance_id="r1",
        runtime_status=SimpleNamespace(value="Failed"),
        output=f"Orchestrator function 'refund' failed: {error}",
        created_time=None,
        last_updated_time=None,
    )
    resp = _call(
        _user(endpoints, "run_status"), _request("GET", "http://x/api/runs/r1", run_id="r1"), Client(status)
    )
    body = json.loads(resp.get_body())
    assert body["status"] == "Failed" and body["error"] == {"type": "KeyError", "message": "'C3003'"}
    missing = _call(
        _user(endpoints, "run_status"), _request("GET", "http://x/api/runs/r9", run_id="r9"), Client()
    )
    assert missing.status_code == 404


def test_send_event_wraps_a_payload_that_looks_like_an_envelope(endpoints: FunctionApp) -> None:
    client = Client()
    body = b'{"portaflow_event": 1, "error": {"type": "Rejected", "message": "no"}}'
    req = _request("POST", "http://x/api/runs/r1/events/approval", body, run_id="r1", event="approval")
    _call(_user(endpoints, "send_event"), req, client)
    payload = {"portaflow_event": 1, "error": {"type": "Rejected", "message": "no"}}
    assert client.calls == [("raise_event", "r1", "approval", {"portaflow_event": 1, "payload": payload})]


def test_send_event_error_raises_the_event_as_a_failure(endpoints: FunctionApp) -> None:
    client = Client()
    body = b'{"type": "Rejected", "message": "over budget"}'
    req = _request("POST", "http://x/api/runs/r1/events/approval/error", body, run_id="r1", event="approval")
    resp = _call(_user(endpoints, "send_event_error"), req, client)
    assert resp.status_code == 202
    failure = {"portaflow_event": 1, "error": {"type": "Rejected", "message": "over budget"}}
    assert client.calls == [("raise_event", "r1", "approval", failure)]


@pytest.mark.parametrize("body", [b"{not json", b'{"message": "no type"}', b'{"type": "not a name"}'])
def test_send_event_error_refuses_a_body_without_a_class_name(endpoints: FunctionApp, body: bytes) -> None:
    client = Client()
    req = _request("POST", "http://x/api/runs/r1/events/approval/error", body, run_id="r1", event="approval")
    resp = _call(_user(endpoints, "send_event_error"), req, client)
    assert resp.status_code == 400 and not client.calls


def test_run_status_shows_the_label_of_the_wait_a_running_run_is_in(endpoints: FunctionApp) -> None:
    status = SimpleNamespace(
        instance_id="r1",
        runtime_status=SimpleNamespace(value="Running"),
        output=None,
        custom_status={"waiting_for": "approval", "wait_label": "finance sign-off"},
        created_time=None,
        last_updated_time=None,
    )
    resp = _call(
        _user(endpoints, "run_status"), _request("GET", "http://x/api/runs/r1", run_id="r1"), Client(status)
    )
    assert json.loads(resp.get_body())["wait_label"] == "finance sign-off"
