"""Benchmark of ``portaflow lint`` against bare libcst parsing of the same files, in the same run.

    python benchmarks/lint.py [--lines 50000] [--keep DIR]

Generates a corpus of realistic agent-workflow packages (workflows with steps, helpers they call across
modules, SDK client wrappers, models, utilities no workflow reaches, a few real findings), then times:
  1. libcst alone: ``libcst.parse_module`` of every file (reading included);
  2. the whole lint: discovery, parsing, indexing, call graph, rules, positions of findings.
Each is the best of ``--repeat`` runs. Prints lines/s for both and the ratio (target: lint <= 2x parse).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import libcst as cst

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from portaflow.lint.config import LintConfig
from portaflow.lint.runner import lint

FLOWS = '''\
"""Workflows of the {name} agent."""

from __future__ import annotations

import json
import random
import time
from datetime import timedelta

from portaflow import Context, RetryPolicy, StepFailed, step, workflow

from {pkg} import helpers
from {pkg}.clients import call_model, fetch_document, issue_refund, send_email
from {pkg}.models import Ticket, summarize_ticket


@step(retry=RetryPolicy(max_attempts=5), timeout="30s")
def classify(ticket: dict) -> dict:
    """Ask the model which queue a ticket belongs to."""
    messages = helpers.build_messages(ticket, system="classify")
    started = time.time()
    reply = call_model(messages)
    reply["latency"] = time.time() - started
    return reply


@step
def load_context(urls: list) -> list:
    pages = []
    for url in urls:
        pages.append(fetch_document(url))
    random.shuffle(pages)
    return pages


@step
def refund(order_id: str, amount: float, idempotency_key: str) -> dict:
    return issue_refund(order_id, amount, idempotency_key)


@step
def notify(address: str, body: str) -> None:
    send_email(address, body)

{workflows}
'''

WORKFLOW = '''
@workflow
def {name}_{i}(ctx: Context, ticket: dict, refund_limit: float = 100.0) -> dict:
    """Triage a ticket, ask for approval above the limit, refund, follow up."""
    parsed = Ticket.from_dict(ticket)
    label = classify(ticket)
    priority = helpers.priority_of(parsed, label)
    context = ctx.map(load_context, helpers.chunk(parsed.links, 4), max_concurrency=4)
    summary = summarize_ticket(parsed, context)
    decision = None
    if parsed.amount > refund_limit:
        decision = ctx.wait_for_event("approval", timeout="3d")
        if decision is None or not decision.get("approved"):
            notify(parsed.email, helpers.render("declined", parsed))
            return {{"status": "declined", "priority": priority}}
    try:
        receipt = refund(parsed.order_id, parsed.amount)
    except StepFailed as failure:
        notify(parsed.email, helpers.render("failed", parsed, error=str(failure)))
        return {{"status": "failed", "error": str(failure)}}
    ctx.sleep(timedelta(hours=1))
    follow_up_at = helpers.deadline_from(ctx.now(), hours=24 * (priority + 1))
    notify(parsed.email, helpers.render("done", parsed, receipt=json.dumps(receipt)))
    totals = {{}}
    for item in parsed.items:
        totals[item["sku"]] = totals.get(item["sku"], 0) + item["qty"]
    return {{
        "status": "refunded",
        "summary": summary,
        "follow_up": follow_up_at.isoformat(),
        "totals": totals,
        "audit": helpers.audit_trail(parsed, label),
    }}
'''

HELPERS = '''\
"""Pure helpers used by the workflows of {name}."""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta

from {pkg}.models import Ticket
from {pkg} import text

PRIORITIES = {{"low": 0, "normal": 1, "high": 2, "urgent": 3}}
TEMPLATES = {{
    "declined": "Your refund for order {{order}} was declined.",
    "failed": "We could not refund order {{order}}: {{error}}",
    "done": "Order {{order}} was refunded. Receipt: {{receipt}}",
}}


def build_messages(ticket: dict, system: str) -> list:
    user = {{"role": "user", "content": text.clean(ticket["body"])}}
    return [{{"role": "system", "content": system}}, user]


def priority_of(ticket: Ticket, label: dict) -> int:
    base = PRIORITIES.get(label.get("priority", "normal"), 1)
    if ticket.amount > 1000:
        base += 1
    return min(base, 3)


def chunk(items: list, size: int) -> list:
    return [items[i : i + size] for i in range(0, len(items), size)]


def render(kind: str, ticket: Ticket, **values: str) -> str:
    return TEMPLATES[kind].format(order=ticket.order_id, **values)


def deadline_from(now: datetime, hours: int) -> datetime:
    return now + timedelta(hours=hours)


def audit_trail(ticket: Ticket, label: dict) -> list:
    entries = []
    for key in sorted(label):
        entries.append(f"{{key}}={{label[key]}}")
    entries.append(text.slug(ticket.subject))
    return entries + [str(math.ceil(ticket.amount))]
{helper_extra}
'''

TEXT = '''\
"""Text utilities."""

from __future__ import annotations

import re
import unicodedata

_WS = re.compile(r"\\s+")


def clean(value: str) -> str:
    value = unicodedata.normalize("NFKC", value)
    return _WS.sub(" ", value).strip()


def slug(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", clean(value).lower()).strip("-")


def truncate(value: str, limit: int = 200) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "..."
{text_extra}
'''

CLIENTS = '''\
"""Clients for external services: only steps call these."""

from __future__ import annotations

import os
import time

import httpx
from openai import OpenAI

_client = OpenAI()
_http = httpx.Client(timeout=10)


def call_model(messages: list) -> dict:
    reply = _client.chat.completions.create(model=os.environ.get("MODEL", "small"), messages=messages)
    return {{"text": reply.choices[0].message.content, "at": time.time()}}


def fetch_document(url: str) -> str:
    response = _http.get(url)
    response.raise_for_status()
    return response.text


def issue_refund(order_id: str, amount: float, key: str) -> dict:
    response = _http.post("https://payments.example/refunds", json={{"order": order_id, "amount": amount}},
                          headers={{"Idempotency-Key": key}})
    return response.json()


def send_email(address: str, body: str) -> None:
    _http.post("https://mail.example/send", json={{"to": address, "body": body}})
{client_extra}
'''

MODELS = '''\
"""Data models."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Ticket:
    order_id: str
    email: str
    subject: str
    body: str
    amount: float
    links: list = field(default_factory=list)
    items: list = field(default_factory=list)

    @classmethod
    def from_dict(cls, data: dict) -> "Ticket":
        return cls(
            order_id=data["order_id"],
            email=data["email"],
            subject=data.get("subject", ""),
            body=data.get("body", ""),
            amount=float(data.get("amount", 0)),
            links=list(data.get("links", [])),
            items=list(data.get("items", [])),
        )


def summarize_ticket(ticket: Ticket, pages: list) -> str:
    words = sum(len(p.split()) for p in pages)
    return f"{{ticket.subject}} ({{words}} words of context)"
{model_extra}
'''

EXTRA_FUNCTION = '''

def {prefix}_{i}(values: list, factor: float = 1.5) -> dict:
    """Utility {i}: pure computation, only called by scripts and tests."""
    result = {{}}
    for index, value in enumerate(values):
        key = f"item-{{index}}"
        if isinstance(value, (int, float)):
            result[key] = round(value * factor, 3)
        elif isinstance(value, str):
            result[key] = value.strip().lower()
        else:
            result[key] = repr(value)
    ordered = sorted(result.items())
    return dict(ordered)
'''

FINDINGS = """

def deadline_local(hours: int) -> float:
    return time.time() + hours * 3600
"""


def generate(root: Path, target_lines: int) -> list[Path]:
    files: list[Path] = []
    lines = 0
    index = 0
    while lines < target_lines:
        pkg = f"agent{index}"
        base = root / pkg
        base.mkdir(parents=True)
        extra = "".join(EXTRA_FUNCTION.format(prefix="util", i=i) for i in range(6))
        workflows = "".join(WORKFLOW.format(name=pkg, i=i) for i in range(3))
        if index % 10 == 0:  # a real finding now and then: a helper reads the clock
            workflows += "\n\nimport time as _t\n\n@workflow\ndef leaky(ctx):\n    return _t.time()\n"
        modules = {
            "__init__.py": f'"""The {pkg} agent."""\n',
            "flows.py": FLOWS.format(name=pkg, pkg=pkg, workflows=workflows),
            "helpers.py": HELPERS.format(name=pkg, pkg=pkg, helper_extra=extra),
            "text.py": TEXT.format(text_extra=extra),
            "clients.py": CLIENTS.format(client_extra=extra),
            "models.py": MODELS.format(model_extra=extra),
            "scripts.py": '"""Maintenance scripts (no workflows)."""\nimport time\n' + extra * 2,
        }
        for name, text in modules.items():
            path = base / name
            path.write_text(text, encoding="utf-8")
            files.append(path)
            lines += text.count("\n")
        index += 1
    return files


def time_parse(files: list[Path]) -> float:
    start = time.perf_counter()
    for path in files:
        cst.parse_module(path.read_bytes())
    return time.perf_counter() - start


def time_lint(root: Path) -> tuple[float, int]:
    start = time.perf_counter()
    result = lint([root], LintConfig(root=root), cwd=root)
    return time.perf_counter() - start, len(result.findings)


def main() -> int:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--lines", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", metavar="DIR", help="write the corpus here and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(args.keep) if args.keep else Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        files = generate(root / "corpus", args.lines)
        total = sum(p.read_text(encoding="utf-8").count("\n") for p in files)
        parse_times, lint_times = [], []
        findings = 0
        for _ in range(args.repeat):
            parse_times.append(time_parse(files))
            elapsed, findings = time_lint(root / "corpus")
            lint_times.append(elapsed)
        parse_s, lint_s = min(parse_times), min(lint_times)
        print(f"corpus: {len(files)} files, {total} lines, {findings} findings")
        print(f"libcst parse only: {parse_s:.2f} s  ({total / parse_s:,.0f} lines/s)")
        print(f"portaflow lint:    {lint_s:.2f} s  ({total / lint_s:,.0f} lines/s)")
        print(f"lint / parse:      {lint_s / parse_s:.2f}x  (target <= 2.00x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
