"""The repository's examples as conformance scenarios: the same runs as tests/test_examples.py, on every
column. Expectations are the parts of the outcome that tests/test_examples.py asserts on the local engine.

One documented target difference shows here (docs/dsl.md, "Target differences"): support_agent puts
``json.dumps(step_result)`` into the LLM's messages; the results hold integral floats (``"total": 42.0``) and
JSON numbers on Step Functions and JavaScript numbers on Cloudflare do not keep ``.0``, so the text the
model sees is ``42`` there (the compiler warns: PFW102, PFW160). Marked ``differs``; the test fails if the
difference disappears.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

EXAMPLE_SCENARIOS: dict[str, tuple[Path, dict[str, Any]]] = {
    "support_agent_small_refund": (
        EXAMPLES / "support_agent.py",
        {
            "differs": {
                "aws": "json.dumps of integral floats (PFW102)",
                "cloudflare": "json.dumps of integral floats (PFW160)",
            },
            "workflow": "support_agent",
            "run_id": "s1",
            "input": {"ticket": {"id": "T-1", "text": "My lamp arrived broken, order A1001"}},
            "expect": {"status": "completed"},
        },
    ),
    "support_agent_approved": (
        EXAMPLES / "support_agent.py",
        {
            "differs": {
                "aws": "json.dumps of integral floats (PFW102)",
                "cloudflare": "json.dumps of integral floats (PFW160)",
            },
            "workflow": "support_agent",
            "input": {"ticket": {"id": "T-2", "text": "Chair broken, order B2002"}},
            "actions": [["signal", "approval", {"approved": True, "by": "dana"}]],
            "expect": {"status": "completed"},
        },
    ),
    "support_agent_no_approval": (
        EXAMPLES / "support_agent.py",
        {
            "differs": {
                "aws": "json.dumps of integral floats (PFW102)",
                "cloudflare": "json.dumps of integral floats (PFW160)",
            },
            "workflow": "support_agent",
            "input": {"ticket": {"id": "T-3", "text": "order B2002"}},
            "actions": [["advance", "3d"]],
            "expect": {
                "status": "completed",
                "output": {
                    "ticket": "T-3",
                    "outcome": "refund_declined",
                    "reason": "no approval within 3 days",
                },
            },
        },
    ),
    "support_agent_policy_says_no": (
        EXAMPLES / "support_agent.py",
        {
            "differs": {
                "aws": "json.dumps of integral floats (PFW102)",
                "cloudflare": "json.dumps of integral floats (PFW160)",
            },
            "workflow": "support_agent",
            "input": {"ticket": {"id": "T-4", "text": "order C3003"}},
            "expect": {"status": "completed"},
        },
    ),
    "refund_saga_success": (
        EXAMPLES / "refund_saga.py",
        {
            "workflow": "refund_saga",
            "input": {"order_id": "A1", "amount": 5.0},
            "expect": {
                "status": "completed",
                "output": {
                    "order_id": "A1",
                    "status": "refunded",
                    "steps": ["reverse_charge", "restock", "notify_warehouse"],
                },
            },
        },
    ),
    "refund_saga_compensates": (
        EXAMPLES / "refund_saga.py",
        {
            "workflow": "refund_saga",
            "run_id": "sg",
            "input": {"order_id": "A1", "amount": 5.0, "fail_at": "notify_warehouse"},
            "expect": {"status": "completed"},
        },
    ),
    "refund_saga_nothing_to_compensate": (
        EXAMPLES / "refund_saga.py",
        {
            "workflow": "refund_saga",
            "input": {"order_id": "A1", "amount": 5.0, "fail_at": "reverse_charge"},
            "expect": {"status": "completed"},
        },
    ),
    "research_agent": (
        EXAMPLES / "research_agent.py",
        {
            "workflow": "research_agent",
            "input": {"question": "durable execution", "n_sources": 6},
            "expect": {"status": "completed"},
        },
    ),
    "research_team": (
        EXAMPLES / "research_team.py",
        {
            "workflow": "research_team",
            "run_id": "rt",
            "input": {"question": "durable execution", "n_sources": 3},
            "actions": [
                ["signal", "approve:2", {"ok": True, "by": "ann"}],
                ["fail", "approve:0", "Rejected", "paywalled"],
                ["advance", "1d"],
            ],
            "expect": {"status": "completed"},
        },
    ),
}
