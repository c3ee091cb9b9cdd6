"""A scripted stand-in for an LLM so the examples run offline and deterministically.

It reads the conversation the way a tool-calling model would and answers with either tool calls or a
final message, in the OpenAI-style shape real agent code handles:
``{"role": "assistant", "content": str | None, "tool_calls": [{"id", "name", "arguments"}]}``.
Swap ``complete`` for a real client call inside the step; the workflow code does not change.
"""

from __future__ import annotations

import json
import re
from typing import Any


def _last_user(messages: list[dict[str, Any]]) -> str:
    return next((m["content"] for m in reversed(messages) if m["role"] == "user"), "")


def _tool_results(messages: list[dict[str, Any]]) -> dict[str, Any]:
    return {m["name"]: json.loads(m["content"]) for m in messages if m["role"] == "tool"}


def _call(name: str, n: int, **arguments: Any) -> dict[str, Any]:
    return {
        "role": "assistant",
        "content": None,
        "tool_calls": [{"id": f"call_{n}_{name}", "name": name, "arguments": arguments}],
    }


def support_turn(messages: list[dict[str, Any]]) -> dict[str, Any]:
    """The support model: look the order up, check the policy, then propose a refund or answer."""
    results = _tool_results(messages)
    turn = sum(1 for m in messages if m["role"] == "assistant")
    request = _last_user(messages)
    order_id = re.search(r"order (\w+)", request) or re.search(r"(\w+)$", request)
    oid = order_id.group(1) if order_id else "unknown"
    if "lookup_order" not in results:
        return _call("lookup_order", turn, order_id=oid)
    order = results["lookup_order"]
    if "error" in order:
        return {"role": "assistant", "content": f"I could not find order {oid}.", "tool_calls": []}
    if "check_refund_policy" not in results:
        return _call("check_refund_policy", turn, order_id=oid, reason="damaged item")
    policy = results["check_refund_policy"]
    if not policy["eligible"]:
        return {
            "role": "assistant",
            "content": f"Order {oid} is not eligible: {policy['why']}.",
            "tool_calls": [],
        }
    return {
        "role": "assistant",
        "content": json.dumps({"action": "refund", "order_id": oid, "amount": order["total"]}),
        "tool_calls": [],
    }


def plan_research(question: str, n: int) -> list[str]:
    """The research model's plan: which sources to read for the question."""
    topics = ["overview", "history", "criticism", "recent work", "open problems", "applications"]
    return [f"{question} - {t}" for t in topics[:n]]


def summarise(question: str, notes: list[dict[str, Any]]) -> str:
    """The research model's summary of per-source notes."""
    best = sorted(notes, key=lambda n: (-n["relevance"], n["source"]))[:3]
    points = "; ".join(f"{n['source']}: {n['finding']}" for n in best)
    return f"{question}: {len(notes)} sources read. Key points - {points}."
