"""A research agent: plan sources with an LLM, read them in parallel (at most 3 at a time), summarise.

portaflow run examples/research_agent.py:research_agent --input '{"question": "durable execution"}'
"""

from __future__ import annotations

import hashlib
from typing import Any

from fake_llm import plan_research, summarise

from portaflow import Context, RetryPolicy, step, workflow


@step(retry=RetryPolicy(max_attempts=3, initial_interval="1s"), timeout="1m")
def plan(question: str, n_sources: int) -> list[str]:
    return plan_research(question, n_sources)


@step(retry=RetryPolicy(max_attempts=4, initial_interval="1s", backoff=2.0), timeout="30s")
def read_source(source: str) -> dict[str, Any]:
    """Fetch and take notes on one source (a real agent calls a search API and an LLM here)."""
    digest = hashlib.sha256(source.encode()).hexdigest()
    return {"source": source, "finding": f"finding {digest[:6]}", "relevance": int(digest[6:8], 16) % 10}


@step(timeout="1m")
def write_summary(question: str, notes: list[dict[str, Any]]) -> str:
    return summarise(question, notes)


@workflow
def research_agent(
    ctx: Context, question: str, n_sources: int = 5, max_concurrency: int = 3
) -> dict[str, Any]:
    sources = plan(question, n_sources)
    notes = ctx.map(read_source, sources, max_concurrency=max_concurrency)
    relevant = [n for n in notes if n["relevance"] >= 3] or notes
    summary = write_summary(question, relevant)
    return {"question": question, "sources": len(sources), "used": len(relevant), "summary": summary}
