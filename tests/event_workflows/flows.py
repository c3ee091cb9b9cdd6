"""Workflows that wait for events delivered as failures, timeouts that raise, and labelled waits."""

from __future__ import annotations

from typing import Any

from portaflow import Context, EventFailed, EventTimeout, workflow

from . import errors


class Rejected(Exception):
    """An approver's refusal, defined in the workflow's own module."""


@workflow
def approval(ctx: Context) -> dict[str, Any]:
    """Tells each kind of failure event apart by the clause that catches it."""
    try:
        payload = ctx.wait_for_event("approval", label="manager sign-off")
    except Rejected as e:
        return {"caught": "Rejected", "type": e.type, "message": e.message, "event": e.event}
    except errors.PolicyViolation as e:
        return {"caught": "PolicyViolation", "message": str(e)}
    except LookupError as e:
        return {"caught": "LookupError", "class": type(e).__name__, "message": str(e)}
    except EventFailed as e:
        return {"caught": "EventFailed", "class": type(e).__name__, "type": e.type}
    return {"payload": payload}


@workflow
def uncaught(ctx: Context) -> Any:
    return ctx.wait_for_event("approval")


@workflow
def review_then_sleep(ctx: Context) -> str:
    """A failure caught, then a timer: a replay after the timer must raise the same exception again."""
    try:
        ctx.wait_for_event("review")
        outcome = "accepted"
    except Rejected as e:
        outcome = f"rejected: {e}"
    ctx.sleep("1h")
    return outcome


@workflow
def deadline(ctx: Context) -> dict[str, Any]:
    """raise_on_timeout tells a null payload from no event."""
    first = ctx.wait_for_event("ping", timeout="1h", raise_on_timeout=True)
    try:
        ctx.wait_for_event("ping", timeout="2h", raise_on_timeout=True)
    except EventTimeout as e:
        return {"first": first, "error": str(e), "event": e.event, "timeout": e.timeout}
    return {"first": first}


@workflow
def timeout_needs_a_timeout(ctx: Context) -> Any:
    return ctx.wait_for_event("ping", raise_on_timeout=True)
