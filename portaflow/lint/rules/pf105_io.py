"""PF105: input and output (files, network, processes, SDK clients) in workflow code."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import libcst as cst

from portaflow.lint.engine.scopes import External, Resolved
from portaflow.lint.rules.base import Invalid, Report, Rule, short

if TYPE_CHECKING:
    from portaflow.lint.engine.analyze import Checker

_EXACT = {
    "builtins.open": "opens a file",
    "builtins.input": "reads the console",
    "io.open": "opens a file",
    "io.open_code": "opens a file",
    "os.open": "opens a file",
    "os.read": "reads a file descriptor",
    "os.write": "writes a file descriptor",
    "os.system": "runs a shell command",
    "os.popen": "runs a shell command",
    "os.startfile": "starts a program",
    "sys.stdin.read": "reads the console",
    "sys.stdin.readline": "reads the console",
    "sys.stdin.readlines": "reads the console",
    "sqlalchemy.create_engine": "connects to a database",
    "sqlalchemy.ext.asyncio.create_async_engine": "connects to a database",
}
_OS_FILES = frozenset(
    {
        "remove",
        "unlink",
        "rename",
        "renames",
        "replace",
        "mkdir",
        "makedirs",
        "rmdir",
        "removedirs",
        "listdir",
        "scandir",
        "walk",
        "fwalk",
        "stat",
        "lstat",
        "chmod",
        "chown",
        "link",
        "symlink",
        "readlink",
        "truncate",
        "access",
        "chdir",
        "utime",
        "mkfifo",
    }
)
_OS_PATH_FILES = frozenset(
    {
        "exists",
        "lexists",
        "isfile",
        "isdir",
        "islink",
        "ismount",
        "getsize",
        "getmtime",
        "getatime",
        "getctime",
        "samefile",
        "realpath",
    }
)
_OS_PROCESS_PREFIXES = ("os.exec", "os.spawn", "os.posix_spawn")
# any call into these modules (or methods of objects they create) is I/O
_MODULES = {
    "subprocess": "runs a subprocess",
    "socket": "uses the network",
    "ssl": "uses the network",
    "http.client": "uses the network",
    "urllib.request": "uses the network",
    "urllib3": "uses the network",
    "requests": "uses the network",
    "httpx": "uses the network",
    "aiohttp": "uses the network",
    "websockets": "uses the network",
    "websocket": "uses the network",
    "grpc": "uses the network",
    "smtplib": "sends mail",
    "ftplib": "uses the network",
    "poplib": "uses the network",
    "imaplib": "uses the network",
    "xmlrpc.client": "uses the network",
    "paramiko": "uses the network",
    "shutil": "touches the file system",
    "tempfile": "touches the file system",
    "glob": "reads the file system",
    "fileinput": "reads files",
    "sqlite3": "uses a database",
    "dbm": "uses a database",
    "shelve": "uses a database",
    "psycopg": "uses a database",
    "psycopg2": "uses a database",
    "asyncpg": "uses a database",
    "pymysql": "uses a database",
    "MySQLdb": "uses a database",
    "pymongo": "uses a database",
    "motor": "uses a database",
    "redis": "uses a database",
    "elasticsearch": "uses a database",
    "boto3": "calls AWS",
    "botocore": "calls AWS",
    "aioboto3": "calls AWS",
    "aiobotocore": "calls AWS",
    "s3fs": "calls AWS",
    "google.cloud": "calls Google Cloud",
    "google.genai": "calls an LLM API",
    "google.generativeai": "calls an LLM API",
    "vertexai": "calls Google Cloud",
    "azure": "calls Azure",
    "openai": "calls an LLM API",
    "anthropic": "calls an LLM API",
    "cohere": "calls an LLM API",
    "mistralai": "calls an LLM API",
    "groq": "calls an LLM API",
    "litellm": "calls an LLM API",
    "together": "calls an LLM API",
    "replicate": "calls an LLM API",
    "ollama": "calls an LLM API",
    "voyageai": "calls an LLM API",
    "langchain_openai": "calls an LLM API",
    "langchain_anthropic": "calls an LLM API",
    "huggingface_hub": "uses the network",
    "pinecone": "uses a vector database",
    "qdrant_client": "uses a vector database",
    "chromadb": "uses a vector database",
    "weaviate": "uses a vector database",
    "kafka": "uses a message broker",
    "confluent_kafka": "uses a message broker",
    "pika": "uses a message broker",
    "nats": "uses a message broker",
    "stripe": "calls Stripe",
    "slack_sdk": "calls Slack",
    "twilio": "calls Twilio",
    "fsspec": "touches the file system",
    "smart_open": "opens a file",
}
# Names under those modules that build values without doing I/O.
_PURE_SEGMENTS = frozenset({"types", "exceptions", "errors", "conditions", "config"})
_PURE_LEAVES = frozenset(
    {
        "Timeout",
        "URL",
        "Headers",
        "Limits",
        "ClientTimeout",
        "Request",
        "Cookies",
        "QueryParams",
        "BasicAuth",
        "Proxy",
        "Config",
        "escape",
        "gethostname",
        "TCPConnector",
        "FormData",
        "PreparedRequest",
        "Retry",
    }
)
_PATH_CLASSES = ("pathlib.Path", "pathlib.PosixPath", "pathlib.WindowsPath")
_PATH_IO = frozenset(
    {
        "read_text",
        "read_bytes",
        "write_text",
        "write_bytes",
        "open",
        "exists",
        "is_file",
        "is_dir",
        "is_symlink",
        "is_mount",
        "is_socket",
        "is_fifo",
        "is_block_device",
        "is_char_device",
        "iterdir",
        "glob",
        "rglob",
        "walk",
        "mkdir",
        "rmdir",
        "unlink",
        "touch",
        "stat",
        "lstat",
        "chmod",
        "lchmod",
        "rename",
        "replace",
        "resolve",
        "readlink",
        "symlink_to",
        "hardlink_to",
        "samefile",
        "owner",
        "group",
        "absolute",
        "expanduser",
        "cwd",
        "home",
    }
)


def io_reason(qname: str) -> str | None:
    """What kind of I/O a call to ``qname`` does, or None."""
    exact = _EXACT.get(qname)
    if exact is not None:
        return exact
    if qname.startswith(_PATH_CLASSES):
        _, _, rest = qname.partition(".")
        leaf = qname.rsplit(".", 1)[-1]
        if leaf in _PATH_IO and (rest.count(".") >= 1):
            return "touches the file system"
        return None
    if qname.startswith("os."):
        parts = qname.split(".")
        if len(parts) == 2 and parts[1] in _OS_FILES:
            return "touches the file system"
        if len(parts) == 3 and parts[1] == "path" and parts[2] in _OS_PATH_FILES:
            return "reads the file system"
        if qname.startswith(_OS_PROCESS_PREFIXES):
            return "starts a process"
        return None
    if qname.startswith("builtins.open()."):
        return "uses a file"
    for module, reason in _MODULES.items():
        if qname == module or qname.startswith(module + ".") or qname.startswith(module + "()"):
            parts = [p.removesuffix("()") for p in qname.split(".")]
            leaf = parts[-1]
            if leaf in _PURE_LEAVES or leaf.endswith(("Error", "Exception", "Warning")):
                return None
            if any(p in _PURE_SEGMENTS for p in parts[1:]):
                return None
            return reason
    return None


class InputOutput(Rule):
    code = "PF105"
    name = "io-in-workflow"
    summary = (
        "Does I/O: `open`, `input`, `pathlib.Path` I/O methods, `os` file and process functions, `socket`, "
        "`http.client`, `urllib.request`, `requests`, `httpx`, `aiohttp`, `subprocess`, `os.system/popen`, "
        "`shutil`, `tempfile`, databases, and LLM and cloud SDK clients (`openai`, `anthropic`, `boto3`, "
        "`google.cloud`, `azure`...), including methods of clients kept in module-level variables."
    )
    why = (
        "Workflow code runs again on every replay. I/O there is repeated (a second e-mail, a second "
        "charge) and "
        "its answer is not recorded, so a replay can read other data and take another path than the history. "
        "A `@step` runs the I/O once, records its result, retries it by policy, and replays the "
        "recorded result."
    )
    replacement = "move the I/O into a `@step` function and call that step from the workflow"
    USE_INSTEAD = """\
import requests
from portaflow import step, workflow

@step(timeout="30s")
def fetch_order(order_id: str) -> dict:
    return requests.get(f"https://shop.example/orders/{order_id}", timeout=10).json()

@workflow
def refund(ctx, order_id: str) -> dict:
    return fetch_order(order_id)
"""
    VALID = (
        # pure helpers from I/O libraries build values without doing I/O
        """\
import os.path
import httpx
import requests
from pathlib import Path
from urllib.parse import urlencode
from portaflow import workflow

@workflow
def wf(ctx, name: str):
    url = "https://x.example/?" + urlencode({"q": name})
    report = Path("reports") / name
    try:
        return url, report.with_suffix(".md").name, os.path.join("a", name), httpx.Timeout(5.0)
    except requests.exceptions.HTTPError:
        return None
""",
        # json, math and string formatting are pure
        """\
import json
import math
from portaflow import workflow

@workflow
def wf(ctx, payload: str, n: int):
    data = json.loads(payload)
    return json.dumps({"root": math.sqrt(n), "text": f"{n:>4}", "fmt": "%s-%d" % ("a", n)}), data
""",
        # a local variable named open is not the builtin
        """\
from portaflow import workflow

@workflow
def wf(ctx, tickets):
    open = [t for t in tickets if t["state"] == "open"]
    return open
""",
        # steps may do any I/O, and helpers only steps call are not checked
        """\
import subprocess
from openai import OpenAI
from portaflow import step, workflow

client = OpenAI()

def run_tool(cmd):
    return subprocess.run(cmd, capture_output=True).stdout

@step
def call_llm(messages: list) -> dict:
    run_tool(["ls"])
    return client.chat.completions.create(model="m", messages=messages).model_dump()

@workflow
def wf(ctx, messages: list):
    return call_llm(messages)
""",
    )
    INVALID = (
        Invalid(
            """\
import requests
from portaflow import workflow

@workflow
def refund(ctx, order_id: str) -> dict:
    return requests.get(f"https://shop.example/orders/{order_id}", timeout=10).json()
""",
            (6,),
        ),
        Invalid(
            """\
from pathlib import Path
from portaflow import workflow

@workflow
def wf(ctx, name: str):
    with open(name) as f:
        text = f.read()
    report = Path("out") / name
    Path(name).write_text(text)
    return report.exists(), input("ok? ")
""",
            (6, 9, 10, 10),
        ),
        # an SDK client created at import time: every method call on it is a request
        Invalid(
            """\
from openai import OpenAI
import anthropic
from portaflow import workflow

client = OpenAI()

@workflow
def agent(ctx, messages: list):
    reply = client.chat.completions.create(model="gpt", messages=messages)
    other = anthropic.Anthropic().messages.create(model="claude", messages=messages, max_tokens=10)
    return reply, other
""",
            (9, 10),
        ),
        Invalid(
            """\
import os
import subprocess
import boto3
from portaflow import workflow

@workflow
def wf(ctx):
    os.system("ls")
    out = subprocess.run(["ls"], check=True)
    s3 = boto3.client("s3")
    s3.put_object(Bucket="b", Key="k", Body=b"")
    return os.listdir("."), out
""",
            (8, 9, 10, 12),
        ),
    )

    def check_call(self, call: cst.Call, callee: Resolved, checker: Checker) -> Sequence[Report]:
        if not isinstance(callee, External):
            return ()
        qname = callee.qname
        reason = io_reason(qname)
        if reason is None:
            return ()
        if "()" in qname and checker.made_by_reported_call(callee):
            return ()  # a method of an object whose creation is already reported here
        shown = short(qname).replace("()", "()")
        return (
            Report(
                call,
                f"`{shown}()` {reason}; in workflow code it runs again on every replay and its result is not "
                "recorded",
            ),
        )
