"""A research team: a lead agent plans sources, a sub-agent per source reads it and asks a human to approve
it as a source (each sub-agent waits for its own approval while the others go on), and the lead writes the
summary from the approved sources only.

portaflow run examples/research_team.py:research_team --input '{"question": "durable execution"}'
portaflow signal RUN "approve:0" '{"ok": true, "by": "ann"}'     # one approval per source, by its index
portaflow signal RUN "approve:1" --error "Rejected:paywalled"      # or reject it with a reason
"""

from __future__ import annotations

import hashlib
from typing import Any

from fake_llm import plan_research, summarise

from portaflow import Context, EventFailed, RetryPolicy, step, workflow


@step(retry=RetryPolicy(max_attempts=3, initial_interval="1s"), timeout="1m")
def plan(question: str, n_sources: int) -> list[str]:
    return plan_research(question, n_sources)


@step(retry=RetryPolicy(max_attempts=4, initial_interval="1s", backoff=2.0), timeout="30s")
def read_source(source: str) -> dict[str, Any]:
    """Fetch and take notes on one source (a real agent calls a search API and an LLM here)."""
    digest = hashlib.sha256(source.encode()).hexdigest()
    return {"source": source, "finding": f"finding {digest[:6]}", "relevance": int(digest[6:8], 16) % 10}


@step
def request_review(source: str, event: str, note: dict[str, Any]) -> None:
    """Ask a reviewer (chat, email) to approve the source: they answer by sending ``event``."""


@step(timeout="1m")
def write_summary(question: str, notes: list[dict[str, Any]]) -> str:
    return summarise(question, notes)


@workflow
def review_source(ctx: Context, task: dict[str, Any]) -> dict[str, Any]:
    """One sub-agent: read the source, then wait (up to a day) for a human to approve it."""
    note = read_source(task["source"])
    event = f"approve:{task['index']}"
    request_review(task["source"], event, note)
    try:
        answer = ctx.wait_for_event(event, timeout="1d", label="approve a source")
    except EventFailed as rejected:
        return {**note, "approved": False, "why": rejected.message}
    if answer is None:
        return {**note, "approved": False, "why": "no answer within a day"}
    return {**note, "approved": bool(answer.get("ok")), "why": answer.get("by", "")}


@workflow
def research_team(ctx: Context, question: str, n_sources: int = 4) -> dict[str, Any]:
    sources = plan(question, n_sources)
    tasks = [{"index": i, "source": s} for i, s in enumerate(sources)]
    notes = ctx.map(review_source, tasks, max_concurrency=n_sources)
    approved = [n for n in notes if n["approved"]]
    summary = "no source was approved"
    if approved:
        summary = write_summary(question, approved)
    return {
        "question": question,
        "approved": len(approved),
        "rejected": [{"source": n["source"], "why": n["why"]} for n in notes if not n["approved"]],
        "summary": summary,
    }
