"""Output formats: text (like ruff, with the call chain), JSON (one object per finding) and SARIF 2.1.0."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from portaflow.lint.rules import ALL_RULES, SYNTAX_ERROR_CODE
from portaflow.lint.runner import Finding

TOOL_NAME = "portaflow-lint"
DOCS_URL = "docs/lint-rules.md"


def _short(qualname: str) -> str:
    return qualname.rsplit(".", 1)[-1] if qualname else qualname


def format_text(findings: Sequence[Finding], *, show_summary: bool = True, fix_hint: bool = True) -> str:
    lines: list[str] = []
    for f in findings:
        lines.append(f"{f.path}:{f.line}:{f.col}: {f.code} {f.message}")
        if f.chain:
            first = f.chain[0]
            lines.append(f"  in workflow `{first.caller_name or _short(first.caller)}`:")
            for link in f.chain:
                caller = link.caller_name or _short(link.caller)
                callee = link.callee_name or _short(link.callee)
                lines.append(f"    {link.path}:{link.line}:{link.col}: `{caller}` calls `{callee}`")
        elif f.function is not None:
            lines.append(f"  in workflow `{_short(f.function)}`")
        others = len(f.workflows) - 1
        if others > 0:
            lines.append(f"  (reached from {others} other workflow{'s' if others > 1 else ''} too)")
        if f.fix is not None:
            hint = " (fixable with --fix)" if fix_hint else ""
            lines.append(f"  fix: {f.fix_description}{hint}")
        else:
            help_text = f.replacement
            if f.no_fix_reason and f.code != SYNTAX_ERROR_CODE:
                help_text = f"{help_text}; {f.no_fix_reason}"
            lines.append(f"  help: {help_text}")
    if show_summary:
        if findings:
            fixable = sum(1 for f in findings if f.fix is not None)
            files = len({f.path for f in findings})
            noun = "finding" if len(findings) == 1 else "findings"
            summary = f"Found {len(findings)} {noun} in {files} file{'s' if files != 1 else ''}."
            if fixable:
                summary += f" {fixable} fixable with --fix."
            lines.append(summary)
        else:
            lines.append("All checks passed!")
    return "\n".join(lines) + "\n"


def finding_to_json(f: Finding) -> dict[str, Any]:
    return {
        "path": f.path,
        "line": f.line,
        "col": f.col,
        "end_line": f.end_line,
        "end_col": f.end_col,
        "code": f.code,
        "name": f.name,
        "message": f.message,
        "function": f.function,
        "workflows": list(f.workflows),
        "chain": [
            {"caller": c.caller, "callee": c.callee, "path": c.path, "line": c.line, "col": c.col}
            for c in f.chain
        ],
        "fix_available": f.fix is not None,
        "fix": f.fix_description,
        "replacement": f.replacement,
        "no_fix_reason": f.no_fix_reason,
    }


def format_json(findings: Sequence[Finding]) -> str:
    return json.dumps([finding_to_json(f) for f in findings], indent=2) + "\n"


def _sarif_location(
    path: str,
    line: int,
    col: int,
    end_line: int | None = None,
    end_col: int | None = None,
    message: str | None = None,
) -> dict[str, Any]:
    region: dict[str, Any] = {"startLine": line, "startColumn": col}
    if end_line is not None and end_col is not None:
        region["endLine"] = end_line
        region["endColumn"] = end_col
    location: dict[str, Any] = {
        "physicalLocation": {
            "artifactLocation": {"uri": path, "uriBaseId": "%SRCROOT%"},
            "region": region,
        }
    }
    if message is not None:
        location["message"] = {"text": message}
    return location


def format_sarif(findings: Sequence[Finding]) -> str:
    rules: list[dict[str, Any]] = [
        {
            "id": SYNTAX_ERROR_CODE,
            "name": "syntax-error",
            "shortDescription": {"text": "The file cannot be parsed, so it was not linted."},
            "defaultConfiguration": {"level": "error"},
        }
    ]
    for rule in ALL_RULES:
        rules.append(
            {
                "id": rule.code,
                "name": rule.name,
                "shortDescription": {"text": rule.summary},
                "fullDescription": {"text": rule.why},
                "help": {"text": f"{rule.replacement} (see {DOCS_URL})"},
                "defaultConfiguration": {"level": "error"},
                "properties": {"tags": ["determinism", "portaflow"]},
            }
        )
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    results: list[dict[str, Any]] = []
    for f in findings:
        result: dict[str, Any] = {
            "ruleId": f.code,
            "ruleIndex": index.get(f.code, 0),
            "level": "error",
            "message": {"text": f.message},
            "locations": [_sarif_location(f.path, f.line, f.col, f.end_line, f.end_col)],
            "properties": {"fixAvailable": f.fix is not None, "workflows": list(f.workflows)},
        }
        if f.chain:
            steps = [
                {"location": _sarif_location(c.path, c.line, c.col, message=f"{c.caller} calls {c.callee}")}
                for c in f.chain
            ]
            steps.append(
                {"location": _sarif_location(f.path, f.line, f.col, f.end_line, f.end_col, f.message)}
            )
            result["codeFlows"] = [{"threadFlows": [{"locations": steps}]}]
        results.append(result)
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": TOOL_NAME, "rules": rules}},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2) + "\n"
