"""PF106: reading or changing the process environment in workflow code."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import libcst as cst

from portaflow.lint.engine.scopes import External, Resolved
from portaflow.lint.rules.base import Invalid, Report, Rule, short

if TYPE_CHECKING:
    from portaflow.lint.engine.analyze import Checker

_VARIABLES = frozenset({"os.environ", "os.environb", "sys.argv"})
_CALLS = frozenset(
    {
        "os.getenv",
        "os.getenvb",
        "os.putenv",
        "os.unsetenv",
        "os.getcwd",
        "os.getcwdb",
        "os.getpid",
        "os.getppid",
        "os.getlogin",
        "os.getuid",
        "os.cpu_count",
        "os.uname",
        "os.path.expanduser",
        "os.path.expandvars",
        "platform.node",
        "platform.uname",
        "getpass.getuser",
        "socket.gethostname",
        "dotenv.load_dotenv",
        "dotenv.dotenv_values",
    }
)


class Environment(Rule):
    code = "PF106"
    name = "process-environment"
    summary = (
        "Reads or changes the process environment: `os.environ` (any use), `os.getenv`, `os.putenv`, "
        "`os.unsetenv`, `sys.argv`, and facts of the machine that runs the code (`os.getcwd`, `os.getpid`, "
        "`socket.gethostname`, `getpass.getuser`, `dotenv`)."
    )
    why = (
        "A workflow can resume on another worker, after a deploy, or in a cloud engine where the "
        "variables differ. "
        "A replay that reads another value takes another path than the recorded history; a workflow "
        "that writes "
        "the environment changes it for every other run in the process."
    )
    replacement = "pass the value in the workflow's input (or read it in a `@step`, which records it)"
    USE_INSTEAD = """\
from portaflow import workflow

@workflow
def notify(ctx, ticket: dict, support_email: str) -> str:
    return f"mail {support_email} about {ticket['id']}"
"""
    VALID = (
        """\
from portaflow import workflow

@workflow
def wf(ctx, settings: dict):
    environ = settings
    return environ["region"], settings.get("model")
""",
        """\
import os
from portaflow import step, workflow

@step
def api_key() -> str:
    return os.environ["API_KEY"]

@workflow
def wf(ctx):
    return api_key(), os.path.join("a", "b"), os.sep
""",
    )
    INVALID = (
        Invalid(
            """\
import os
from portaflow import workflow

@workflow
def notify(ctx, ticket: dict) -> str:
    return f"mail {os.environ['SUPPORT_EMAIL']} about {ticket['id']}"
""",
            (6,),
        ),
        Invalid(
            """\
import os
from os import environ, getenv
from portaflow import workflow

@workflow
def wf(ctx):
    model = getenv("MODEL", "small")
    if "DEBUG" in environ:
        os.environ["SEEN"] = "1"
    os.putenv("X", "1")
    return model, os.environ.get("REGION")
""",
            (7, 8, 9, 10, 11),
        ),
    )

    def check_call(self, call: cst.Call, callee: Resolved, checker: Checker) -> Sequence[Report]:
        if isinstance(callee, External) and callee.qname in _CALLS:
            return (
                Report(
                    call,
                    f"`{short(callee.qname)}()` depends on the process environment, which can differ "
                    "when the "
                    "workflow replays on another worker",
                ),
            )
        return ()

    def visit_Name(self, node: cst.Name, checker: Checker) -> None:
        self._check_reference(node, checker)

    def visit_Attribute(self, node: cst.Attribute, checker: Checker) -> None:
        self._check_reference(node, checker)

    def _check_reference(self, node: cst.Name | cst.Attribute, checker: Checker) -> None:
        if isinstance(node, cst.Name) and node.value not in ("environ", "environb", "argv"):
            return
        if isinstance(node, cst.Attribute) and node.attr.value not in ("environ", "environb", "argv"):
            return
        resolved = checker.resolve(node)
        if isinstance(resolved, External) and resolved.qname in _VARIABLES:
            checker.report(
                Environment,
                Report(
                    node,
                    f"`{resolved.qname}` is the process environment, which can differ when the workflow "
                    "replays on another worker",
                ),
            )
