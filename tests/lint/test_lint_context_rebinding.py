"""--fix writes the Context's name only where that name still refers to the Context at that point.

Each case marks the lines with a finding: ``# fix`` where the fix must use the Context, ``# keep`` where the
finding must be reported without a fix (the name was rebound, deleted, or shadowed there)."""

from __future__ import annotations

from pathlib import Path

import pytest
from lint_helpers import write_tree

from portaflow.lint.config import LintConfig
from portaflow.lint.fixes import fixed_source
from portaflow.lint.runner import lint

HEADER = "import time\nimport uuid\nfrom portaflow import Context, workflow\n\n"

CASES = {
    "for-target": """\
@workflow
def wf(ctx, items):
    out = []
    for ctx in items:
        out.append([ctx, time.time() > 0])  # keep
    return out
""",
    "before-the-rebinding-is-fixable": """\
@workflow
def wf(ctx, items):
    started = time.time()  # fix
    out = []
    for ctx in items:
        out.append(ctx)
    return started, out, time.time()  # keep
""",
    "inside-a-loop-that-rebinds-later": """\
@workflow
def wf(ctx, items):
    for item in items:
        print(time.time())  # keep
        ctx = item
""",
    "assignment": """\
@workflow
def wf(ctx):
    ctx = {"run": 1}
    return time.time()  # keep
""",
    "the-assigned-value-itself": """\
@workflow
def wf(ctx):
    ctx = uuid.uuid4()  # keep
    return ctx
""",
    "with-as": """\
@workflow
def wf(ctx, lock):
    with lock as ctx:
        return uuid.uuid4()  # keep
""",
    "except-as": """\
@workflow
def wf(ctx):
    try:
        pass
    except ValueError as ctx:
        print(ctx)
    return time.time()  # keep
""",
    "walrus": """\
@workflow
def wf(ctx, items):
    if (ctx := items[0]):
        return time.time()  # keep
""",
    "walrus-in-a-comprehension-binds-the-function-name": """\
@workflow
def wf(ctx, items):
    found = [ctx for item in items if (ctx := item)]
    return found, time.time()  # keep
""",
    "comprehension-variable": """\
@workflow
def wf(ctx, items):
    return [(c, time.time()) for c in items], [(ctx, time.time()) for ctx in items]  # fix keep
""",
    "nested-function-parameter": """\
@workflow
def wf(ctx, items):
    def stamp(ctx):
        return time.time()  # keep
    return [stamp(i) for i in items]
""",
    "lambda-parameter": """\
@workflow
def wf(ctx, items):
    return list(map(lambda ctx: time.time(), items))  # keep
""",
    "nested-function-sees-the-context": """\
@workflow
def wf(ctx, items):
    def stamp(item):
        return item, time.time()  # fix
    return [stamp(i) for i in items]
""",
    "closure-over-a-name-rebound-later": """\
@workflow
def wf(ctx, items):
    def stamp():
        return time.time()  # keep
    first = stamp()
    ctx = None
    return first
""",
    "nonlocal-in-a-nested-function": """\
@workflow
def wf(ctx, items):
    def forget():
        nonlocal ctx  # keep (PF109: rebinding an outer variable)
        ctx = None
    forget()
    return time.time()  # keep
""",
    "global-in-a-nested-function": """\
@workflow
def wf(ctx, items):
    def stamp():
        global ctx
        return time.time()  # keep
    return stamp(), time.time()  # fix
""",
    "del": """\
@workflow
def wf(ctx):
    del ctx
    return uuid.uuid4()  # keep
""",
    "import-as": """\
@workflow
def wf(ctx):
    import os as ctx
    return uuid.uuid4()  # keep
""",
    "def-of-the-same-name": """\
@workflow
def wf(ctx):
    def ctx():
        return 1
    return uuid.uuid4()  # keep
""",
    "augmented-assignment": """\
@workflow
def wf(ctx):
    ctx += 1
    return uuid.uuid4()  # keep
""",
    "match-capture": """\
@workflow
def wf(ctx, event):
    match event:
        case {"ctx": ctx}:
            return uuid.uuid4()  # keep
    return None
""",
    "annotated-helper-parameter": """\
def helper(c: Context, items):
    for c in items:
        print(c)
    return time.time()  # keep

@workflow
def wf(ctx, items):
    return helper(ctx, items), time.time()  # fix
""",
}


def _expected(code: str) -> list[tuple[int, str]]:
    marks = []
    for number, line in enumerate(code.splitlines(), start=len(HEADER.splitlines()) + 1):
        if "#" in line:
            marks.extend((number, word) for word in line.split("#", 1)[1].split() if word in ("fix", "keep"))
    return marks


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_fix_uses_the_context_only_where_the_name_still_refers_to_it(tmp_path: Path, name: str) -> None:
    code = HEADER + CASES[name]
    write_tree(tmp_path, {"flows.py": code})
    result = lint([tmp_path / "flows.py"], LintConfig(root=tmp_path), cwd=tmp_path)
    got = sorted((f.line, "fix" if f.fix is not None else "keep") for f in result.findings)
    assert got == sorted(_expected(CASES[name]))
    for finding in result.findings:
        if finding.fix is None and finding.code != "PF109":
            assert finding.no_fix_reason and "no automatic fix" in finding.no_fix_reason
    fixes = [f.fix for f in result.findings if f.fix is not None]
    if fixes:
        fixed = fixed_source(result.modules[(tmp_path / "flows.py").resolve()], fixes)
        compile(fixed, "flows.py", "exec")


def test_the_reason_names_the_rebinding(tmp_path: Path) -> None:
    write_tree(tmp_path, {"flows.py": HEADER + CASES["for-target"]})
    (finding,) = lint([tmp_path / "flows.py"], LintConfig(root=tmp_path), cwd=tmp_path).findings
    assert finding.fix is None
    assert finding.no_fix_reason is not None
    assert "`ctx` no longer refers to the workflow's Context here" in finding.no_fix_reason
