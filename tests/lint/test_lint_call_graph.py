"""What code is checked: workflows, the helpers they reach (across modules, methods), never steps or dead
code."""

from __future__ import annotations

from lint_helpers import LintTree, codes_and_lines

WF_HEADER = "from portaflow import workflow, step\n"


def test_helper_in_another_module_is_checked_and_reported_with_the_call_chain(lint_tree: LintTree) -> None:
    findings = lint_tree(
        {
            "app/__init__.py": "",
            "app/flows.py": WF_HEADER
            + "from app.helpers import deadline\n\n@workflow\ndef support_agent(ctx, hours):\n"
            "    return deadline(hours)\n",
            "app/helpers.py": "import time\n\ndef _now():\n    return time.time()\n\ndef "
            "deadline(h):\n    return _now() + h\n",
        }
    )
    assert len(findings) == 1
    finding = findings[0]
    assert (finding.path, finding.line, finding.code) == ("app/helpers.py", 4, "PF101")
    assert [(c.caller, c.callee, c.path, c.line) for c in finding.chain] == [
        ("app.flows.support_agent", "app.helpers.deadline", "app/flows.py", 6),
        ("app.helpers.deadline", "app.helpers._now", "app/helpers.py", 7),
    ]
    assert finding.workflows == ("app.flows.support_agent",)


def test_relative_imports_and_module_aliases_are_followed(lint_tree: LintTree) -> None:
    findings = lint_tree(
        {
            "pkg/__init__.py": "",
            "pkg/flows.py": WF_HEADER
            + "from . import util\nfrom .sub import tools as t\n\n@workflow\ndef wf(ctx):\n"
            "    return util.pick(), t.stamp()\n",
            "pkg/util.py": "import random\n\ndef pick():\n    return random.choice([1, 2])\n",
            "pkg/sub/__init__.py": "",
            "pkg/sub/tools.py": "from datetime import datetime\n\ndef stamp():\n    return datetime.now()\n",
        }
    )
    assert sorted((f.path, f.code) for f in findings) == [
        ("pkg/sub/tools.py", "PF101"),
        ("pkg/util.py", "PF102"),
    ]


def test_import_of_a_dotted_module_path_is_followed(lint_tree: LintTree) -> None:
    findings = lint_tree(
        {
            "pkg/__init__.py": "",
            "pkg/helpers.py": "import uuid\n\ndef new_id():\n    return uuid.uuid4()\n",
            "flows.py": WF_HEADER
            + "import pkg.helpers\n\n@workflow\ndef wf(ctx):\n    return pkg.helpers.new_id()\n",
        }
    )
    assert [(f.path, f.code) for f in findings] == [("pkg/helpers.py", "PF103")]


def test_a_helper_module_not_named_on_the_command_line_is_still_followed(lint_tree: LintTree) -> None:
    findings = lint_tree(
        {
            "flows.py": WF_HEADER + "from helpers import wait\n\n@workflow\ndef wf(ctx):\n    wait()\n",
            "helpers.py": "import time\n\ndef wait():\n    time.sleep(1)\n",
        },
        paths=["flows.py"],
    )
    assert [(f.path, f.code, f.line) for f in findings] == [("helpers.py", "PF104", 4)]


def test_a_finding_reached_from_several_workflows_is_reported_once(lint_tree: LintTree) -> None:
    findings = lint_tree(
        {
            "flows.py": WF_HEADER + "import time\n\ndef helper():\n    return time.time()\n\n"
            "@workflow\ndef a(ctx):\n    return helper()\n\n@workflow\ndef b(ctx):\n    return helper()\n\n"
            "@workflow\ndef c(ctx):\n    return helper()\n"
        }
    )
    assert codes_and_lines(findings) == [("PF101", 5)]
    assert findings[0].workflows == ("flows.a", "flows.b", "flows.c")


def test_methods_reached_through_self_instances_and_annotations_are_checked(lint_tree: LintTree) -> None:
    findings = lint_tree(
        {
            "flows.py": WF_HEADER
            + """import time, random, os

class Planner:
    def __init__(self):
        self.started = time.time()

    def plan(self):
        return self._pick()

    def _pick(self):
        return random.random()

class Other:
    def env(self):
        return os.getenv("X")

    @staticmethod
    def never_called():
        return time.time()

def use(other: Other):
    return other.env()

@workflow
def wf(ctx):
    p = Planner()
    p.plan()
    return use(Other())
"""
        }
    )
    assert codes_and_lines(findings) == [("PF101", 6), ("PF102", 12), ("PF106", 16)]


def test_inherited_methods_and_classmethods_are_resolved(lint_tree: LintTree) -> None:
    findings = lint_tree(
        {
            "flows.py": WF_HEADER
            + """import uuid

class Base:
    def make_id(self):
        return uuid.uuid4()

class Child(Base):
    @classmethod
    def build(cls):
        return cls().make_id()

@workflow
def wf(ctx):
    return Child.build()
"""
        }
    )
    assert codes_and_lines(findings) == [("PF103", 6)]


def test_functions_passed_as_values_are_reached(lint_tree: LintTree) -> None:
    findings = lint_tree(
        {
            "flows.py": WF_HEADER
            + """import time

def key(item):
    return time.time()

def transform(item):
    return item

@workflow
def wf(ctx, items):
    ordered = sorted(items, key=key)
    return ctx.map(transform, ordered)
"""
        }
    )
    assert codes_and_lines(findings) == [("PF101", 5)]


def test_steps_and_code_only_steps_reach_are_not_checked(lint_tree: LintTree) -> None:
    findings = lint_tree(
        {
            "flows.py": WF_HEADER
            + """import time, requests

def fetch_raw(url):
    return requests.get(url).text

@step(timeout="30s")
def fetch(url: str) -> str:
    time.sleep(1)
    return fetch_raw(url)

class Tools:
    @step
    def lookup(self, key):
        return requests.get(key)

@workflow
def wf(ctx, urls):
    @step
    def local_step(u):
        return requests.get(u)

    return ctx.map(fetch, urls), local_step(urls[0]), Tools().lookup("k")
"""
        }
    )
    assert findings == []


def test_recursive_and_mutually_recursive_helpers_terminate_and_are_checked_once(lint_tree: LintTree) -> None:
    findings = lint_tree(
        {
            "flows.py": WF_HEADER
            + """import random

def ping(n):
    return pong(n - 1) if n else random.random()

def pong(n):
    return ping(n)

@workflow
def wf(ctx):
    return ping(3)
"""
        }
    )
    assert codes_and_lines(findings) == [("PF102", 5)]


def test_decorator_spellings_mark_workflows(lint_tree: LintTree) -> None:
    findings = lint_tree(
        {
            "a.py": "import portaflow\nimport time\n\n@portaflow.workflow(name='x')\ndef a(ctx):\n   "
            " time.sleep(1)\n",
            "b.py": "import portaflow as pf\nimport time\n\n@pf.workflow\ndef b(ctx):\n    time.sleep(1)\n",
            "c.py": "from portaflow import workflow as wf\nimport time\n\n@wf()\ndef c(ctx):\n    "
            "time.sleep(1)\n",
            "d.py": "import time\nfrom temporalio import workflow\n\n@workflow.defn\nclass D:\n"
            "    @workflow.run\n    async def run(self):\n        time.sleep(1)\n",
            "e.py": "import time\n\ndef workflow(fn):\n    return fn\n\n@workflow\ndef e(ctx):\n    "
            "time.sleep(1)\n",
        }
    )
    assert sorted(f.path for f in findings) == ["a.py", "b.py", "c.py"]


def test_a_workflow_method_uses_the_parameter_after_self_as_its_context(lint_tree: LintTree) -> None:
    findings = lint_tree(
        {
            "flows.py": WF_HEADER
            + "import time\n\nclass Agent:\n    @workflow\n    def run(self, context, n):\n"
            "        time.sleep(n)\n"
        }
    )
    assert codes_and_lines(findings) == [("PF104", 7)]
    assert findings[0].fix_description == "replace with `context.sleep(...)`"


def test_nested_functions_and_lambdas_in_a_workflow_are_workflow_code(lint_tree: LintTree) -> None:
    findings = lint_tree(
        {
            "flows.py": WF_HEADER
            + """import time, uuid

@workflow
def wf(ctx, xs):
    def inner():
        return uuid.uuid4()
    first, second = ctx.parallel(lambda: inner(), lambda: time.time())
    return first, second
"""
        }
    )
    assert codes_and_lines(findings) == [("PF101", 8), ("PF103", 7)]
    assert all(f.fix is not None for f in findings)  # ctx is in scope in nested code


def test_a_module_level_alias_of_a_clock_function_is_resolved(lint_tree: LintTree) -> None:
    findings = lint_tree(
        {
            "flows.py": WF_HEADER
            + "import time\nnow = time.time\n\n@workflow\ndef wf(ctx):\n    clock = now\n    return clock()\n"
        }
    )
    assert codes_and_lines(findings) == [("PF101", 8)]


def test_re_exported_names_resolve_through_project_modules(lint_tree: LintTree) -> None:
    findings = lint_tree(
        {
            "mylib/__init__.py": "from mylib.clock import now as current_time\nfrom portaflow import "
            "workflow\n",
            "mylib/clock.py": "from time import time as now\n",
            "flows.py": "from mylib import current_time, workflow\n\n@workflow\ndef wf(ctx):\n    "
            "return current_time()\n",
        }
    )
    assert [(f.path, f.code, f.line) for f in findings] == [("flows.py", "PF101", 5)]


def test_excluded_helper_modules_are_not_followed(lint_tree: LintTree) -> None:
    findings = lint_tree(
        {
            "flows.py": WF_HEADER
            + "from vendor.clock import stamp\n\n@workflow\ndef wf(ctx):\n    return stamp()\n",
            "vendor/__init__.py": "",
            "vendor/clock.py": "import time\n\ndef stamp():\n    return time.time()\n",
        },
        exclude=["vendor"],
    )
    assert findings == []


def test_a_file_that_does_not_parse_is_reported_and_the_others_are_linted(lint_tree: LintTree) -> None:
    findings = lint_tree(
        {
            "broken.py": "def f(:\n    pass\n",
            "flows.py": WF_HEADER + "import time\n\n@workflow\ndef wf(ctx):\n    time.sleep(1)\n",
        }
    )
    assert [(f.path, f.code, f.line, f.col) for f in findings] == [
        ("broken.py", "PF001", 1, 7),
        ("flows.py", "PF104", 6, 5),
    ]
    assert findings[0].message.startswith("syntax error")


def test_a_file_that_is_not_valid_utf8_is_reported(lint_tree: LintTree, tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "latin.py").write_bytes(b"x = '\xe9'\n")
    findings = lint_tree({})
    assert [(f.path, f.code) for f in findings] == [("latin.py", "PF001")]


def test_the_chain_names_methods_by_class_and_star_imports_are_followed(lint_tree: LintTree) -> None:
    findings = lint_tree(
        {
            "app/__init__.py": "",
            "app/util.py": "import time\n\nclass Backoff:\n    def wait(self, n):\n        time.sleep(n)\n",
            "app/flows.py": WF_HEADER
            + "from app.util import *\n\n@workflow\ndef wf(ctx, n):\n    Backoff().wait(n)\n",
        }
    )
    assert codes_and_lines(findings) == [("PF104", 5)]
    (link,) = findings[0].chain
    assert (link.caller_name, link.callee_name, link.callee) == (
        "wf",
        "Backoff.wait",
        "app.util.Backoff.wait",
    )


def test_constructing_a_dataclass_follows_its_default_factories_with_the_chain(lint_tree: LintTree) -> None:
    findings = lint_tree(
        {
            "app/__init__.py": "",
            "app/models.py": "import time\nimport uuid\nfrom dataclasses import dataclass, field\n\n"
            "def new_id() -> str:\n    return str(uuid.uuid4())\n\n"
            "@dataclass\nclass Base:\n    created: float = field(default_factory=time.time)\n\n"
            "@dataclass\nclass Ticket(Base):\n    id: str = field(default_factory=new_id)\n"
            "    at: float = time.time()\n",  # evaluated once at import, like module-level code: not flagged
            "app/flows.py": WF_HEADER + "from app.models import Ticket\n\n@workflow\ndef wf(ctx):\n"
            "    return Ticket()\n",
        }
    )
    assert codes_and_lines(findings) == [("PF101", 10), ("PF103", 6)]
    by_code = {f.code: f for f in findings}
    assert by_code["PF101"].path == "app/models.py" and by_code["PF101"].fix is None
    assert [(c.caller_name, c.callee_name, c.path, c.line) for c in by_code["PF101"].chain] == [
        ("wf", "Base.__init__", "app/flows.py", 6),
    ]
    assert [(c.caller_name, c.callee_name, c.path, c.line) for c in by_code["PF103"].chain] == [
        ("wf", "Ticket.__init__", "app/flows.py", 6),
        ("Ticket.__init__", "new_id", "app/models.py", 14),
    ]


def test_post_init_and_attrs_and_pydantic_factories_are_followed(lint_tree: LintTree) -> None:
    findings = lint_tree(
        {
            "flows.py": WF_HEADER
            + "import random, time, uuid\nimport attr, attrs\nfrom dataclasses import dataclass\n"
            "from pydantic import BaseModel, Field\n\n"
            "@dataclass\nclass A:\n    def __post_init__(self):\n        self.n = random.random()\n\n"
            "@attr.s\nclass B:\n    x = attr.ib(factory=time.time)\n"
            "    y = attr.ib(default=attr.Factory(uuid.uuid4))\n\n"
            "@attrs.define\nclass C:\n    z: float = attrs.field(factory=time.monotonic)\n\n"
            "class D(BaseModel):\n    w: str = Field(default_factory=lambda: uuid.uuid4().hex)\n\n"
            "@workflow\ndef wf(ctx):\n    return A(), B(), C(), D()\n",
        }
    )
    assert codes_and_lines(findings) == [
        ("PF101", 14),
        ("PF101", 19),
        ("PF102", 10),
        ("PF103", 15),
        ("PF103", 22),
    ]


def test_classes_no_workflow_constructs_and_factories_without_nondeterminism_stay_quiet(
    lint_tree: LintTree,
) -> None:
    findings = lint_tree(
        {
            "flows.py": WF_HEADER + "import time, uuid\nfrom dataclasses import dataclass, field\n\n"
            "@dataclass\nclass Unused:\n    at: float = field(default_factory=time.time)\n\n"
            "@dataclass\nclass Order:\n    items: list = field(default_factory=list)\n"
            "    meta: dict = field(default_factory=lambda: {'v': 1})\n\n"
            "@step\ndef make() -> str:\n    return str(Unused().at)\n\n"
            "@workflow\ndef wf(ctx, order: Order):\n    return Order(), make(), order.items\n",
        }
    )
    assert findings == []
