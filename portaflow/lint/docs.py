"""Generate ``docs/lint-rules.md`` from the rules themselves: ``python -m portaflow.lint.docs [OUTPUT]``."""

from __future__ import annotations

import sys
from pathlib import Path

from portaflow.lint.rules import ALL_RULES

DEFAULT_OUTPUT = Path("docs/lint-rules.md")

_USAGE = """\
# portaflow lint

`portaflow lint` finds code that would break replay before it ships. It reads your files with libcst and never
imports or runs them. It checks the body of every `@workflow` function and every function of your project that
a workflow calls, directly or through other helpers, methods, and modules of the linted tree (a module
imported by a linted file is read on demand). Code inside `@step` functions is not checked (steps may do
anything), nor is code that no workflow reaches. Imports are resolved, so aliases are caught (`from time
import time as now`, `import datetime as dt`), and shadowing is respected (a local variable called `random` is
not the module).

Constructing a class of the project runs its `__new__`, `__init__` and `__post_init__`, and for dataclass-like
classes its default factories (`dataclasses.field(default_factory=...)`, `attr.ib(factory=...)`,
`attrs.field(factory=...)`, `attr.Factory(...)`, `pydantic.Field(default_factory=...)`): they are followed
like any helper, and the chain shows them as `Class.__init__`. Code that runs at import, once per process,
is not checked: module-level statements and class bodies, including plain class attribute defaults such as
`created: float = time.time()` (pass such values in the workflow's input, or read them with `ctx` inside it).

A finding inside a helper is reported once, at the offending line, with the chain of calls from the workflow
that reaches it:

```
app/helpers.py:4:12: PF103 `uuid.uuid4()` makes a new identifier on every replay
  in workflow `support_agent`:
    app/flows.py:10:12: `support_agent` calls `deadline`
    app/helpers.py:7:12: `deadline` calls `_new_id`
  help: use `ctx.uuid4()` (recorded in the history), ...; no automatic fix here: ...
```

## Usage

```
portaflow lint [PATH ...]              # default: the current folder
portaflow lint --format json           # one object per finding: path, line, col, end_line, end_col, code,
                                       # name, message, function, workflows, chain, fix_available, fix, ...
portaflow lint --format sarif > lint.sarif   # SARIF 2.1.0 for code scanning (the chain is a codeFlow)
portaflow lint --select PF101,PF102    # codes or prefixes (PF1, PF, ALL); --ignore, --extend-select too
portaflow lint --fix                   # apply the safe fixes in place, then report what is left
portaflow lint --diff                  # print the fixes as a unified diff, change nothing
python -m portaflow.lint ...           # the same, without the portaflow console script
```

Exit codes: 0 no findings, 1 findings (or a file that does not parse: reported as `PF001` with its position,
the other files are still linted), 2 a usage or configuration error (one line on stderr). `--exit-zero` exits
0 even with findings. Paths that hold no Python file to check (none there, or all excluded) are said so on
stderr instead of "All checks passed!": nothing was checked, exit 0.

## Configuration

In `pyproject.toml` (the nearest one above the first path that has this table, or `--config FILE`):

```toml
[tool.portaflow.lint]
select = ["PF"]                       # default: all rules
ignore = ["PF108"]
extend-select = []
exclude = ["legacy/", "scripts/*.py"] # added to the defaults (.venv, build, dist, node_modules, ...)
extend-exclude = ["generated"]        # the same, for ruff habits

[tool.portaflow.lint.per-file-ignores]
"tests/*" = ["PF101", "PF104"]
```

Selectors are codes or prefixes; the most specific one wins (`select = ["PF1"]`, `ignore = ["PF101"]` runs all
PF1xx rules but PF101). Patterns are globs relative to the pyproject.toml's folder; a pattern without `/`
matches a file or folder of that name anywhere. `--select` on the command line replaces `select`; `--ignore`
adds to `ignore`. Excluded files are skipped even when named on the command line, and are not followed into.

A `# noqa` comment silences every finding on its line; `# noqa: PF101, PF105` silences those codes.

## pre-commit

```yaml
- repo: <this repository>
  rev: <a tag>
  hooks:
    - id: portaflow-lint
```

The hook lints the whole project on each commit (`pass_filenames: false`), because a change in one file can
make another file's helper reachable from a workflow.

## Fixes

`--fix` only applies fixes that keep the program's meaning and only adds `ctx` where the workflow's Context is
in scope: in the workflow itself, functions and lambdas nested in it, and helpers that take a parameter
annotated `Context`. It writes that name only where it still refers to the Context: not after the function
rebinds it (assignment, `for`, `with ... as`, `except ... as`, walrus, `del`, `import ... as`, `def`, `match`
capture) nor in a loop that rebinds it later, not where a nested function, lambda or comprehension shadows it,
and nowhere in a function where a nested function rebinds it with `nonlocal`. It removes imports that the fix
left unused. Everything else is reported with the reason.

# Rules
"""


def render() -> str:
    parts = [_USAGE]
    parts.append("| code | name | fix |\n|---|---|---|\n")
    for rule in ALL_RULES:
        fix = "yes" if rule.fix_description else "no"
        parts.append(f"| [{rule.code}](#{rule.code.lower()}-{rule.name}) | {rule.name} | {fix} |\n")
    for rule in ALL_RULES:
        doc = rule.doc()
        parts.append(f"\n## {doc.code} {doc.name}\n\n")
        parts.append(f"**What it finds.** {doc.summary}\n\n")
        parts.append(f"**Why it breaks replay.** {doc.why}\n\n")
        parts.append(f"**Instead.** {doc.replacement[0].upper()}{doc.replacement[1:]}.\n\n")
        parts.append(f"**Automatic fix.** {doc.fix or 'None: the change needs a person.'}\n\n")
        parts.append(f"Bad:\n\n```python\n{doc.bad}```\n\n")
        parts.append(f"Good:\n\n```python\n{doc.good}```\n")
    return "".join(parts)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    output = Path(args[0]) if args else DEFAULT_OUTPUT
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(render(), encoding="utf-8")
    print(f"wrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
