"""Lint paths: discover files, index modules, walk what workflows reach, turn the results into findings."""

from __future__ import annotations

import gc
import os
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from portaflow.lint.config import LintConfig, is_enabled
from portaflow.lint.engine.analyze import CallEdge, FunctionAnalysis, RawFinding, RuleSet, analyze_function
from portaflow.lint.engine.index import FunctionInfo, ModuleInfo
from portaflow.lint.engine.positions import PositionIndex
from portaflow.lint.engine.project import Project
from portaflow.lint.engine.resolve import Resolver
from portaflow.lint.noqa import is_suppressed
from portaflow.lint.rules import ALL_CODES, ALL_RULES, SYNTAX_ERROR_CODE
from portaflow.lint.rules.base import Fix


class UsageError(Exception):
    """A mistake on the command line (a missing path...): reported as one line, exit code 2."""


@dataclass(frozen=True, slots=True)
class ChainLink:
    """One call on the way from a workflow to a finding: ``caller`` calls ``callee`` at path:line:col."""

    caller: str
    callee: str
    path: str
    line: int
    col: int
    caller_name: str = ""  # as written in the code: function or Class.method
    callee_name: str = ""


@dataclass(slots=True)
class Finding:
    path: str
    line: int
    col: int
    end_line: int
    end_col: int
    code: str
    name: str
    message: str
    replacement: str
    function: str | None = None
    workflows: tuple[str, ...] = ()
    chain: tuple[ChainLink, ...] = ()
    fix_description: str | None = None
    no_fix_reason: str | None = None
    fix: Fix | None = field(default=None, repr=False, compare=False)
    file: Path | None = field(default=None, repr=False, compare=False)

    @property
    def fix_available(self) -> bool:
        return self.fix is not None


@dataclass(slots=True)
class LintResult:
    findings: list[Finding]
    files: int
    lines: int
    modules: dict[Path, ModuleInfo]
    internal_errors: list[str] = field(default_factory=list)  # functions the engine failed to check (a bug)


def display_path(path: Path, cwd: Path) -> str:
    resolved = path.resolve()
    try:
        return resolved.relative_to(cwd).as_posix()
    except ValueError:
        return resolved.as_posix()


def discover(paths: Sequence[Path], config: LintConfig) -> list[Path]:
    found: list[Path] = []
    seen: set[Path] = set()
    for given in paths:
        if not given.exists():
            raise UsageError(f"path not found: {given}")
        resolved = given.resolve()
        if resolved.is_file():
            if not config.is_excluded(resolved) and resolved not in seen:
                seen.add(resolved)
                found.append(resolved)
            continue
        if config.is_excluded(resolved) and resolved != config.root:
            continue
        for directory, dirnames, filenames in os.walk(resolved):
            base = Path(directory)
            dirnames[:] = sorted(d for d in dirnames if not config.is_excluded(base / d))
            for filename in sorted(filenames):
                if filename.endswith(".py"):
                    candidate = base / filename
                    if candidate not in seen and not config.is_excluded(candidate):
                        seen.add(candidate)
                        found.append(candidate)
    return found


def lint(paths: Sequence[Path], config: LintConfig, *, cwd: Path | None = None) -> LintResult:
    """Lint ``paths``, with the cyclic garbage collector paused.

    Parsed trees are millions of small objects without reference cycles, kept alive until the end; with the
    collector running, each full collection scans them all again (a third of the run time on a large tree).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _lint(paths, config, cwd=cwd)
    finally:
        if was_enabled:
            gc.enable()


def _lint(paths: Sequence[Path], config: LintConfig, *, cwd: Path | None) -> LintResult:
    cwd = (cwd or Path.cwd()).resolve()
    files = discover(paths, config)
    project = Project(
        display=lambda p: display_path(p, cwd),
        is_excluded=config.is_excluded,
        extra_roots=[config.root, config.root / "src", cwd],
    )
    for path in files:
        project.load(path)
    for info in list(project.by_path.values()):
        project.classify(info)

    enabled = config.enabled_codes(ALL_CODES)
    ruleset = RuleSet([rule for rule in ALL_RULES if rule.code in enabled])
    resolver = Resolver(project)
    workflows = project.workflows()
    analyses: dict[FunctionInfo, FunctionAnalysis] = {}
    pending: deque[FunctionInfo] = deque(workflows)
    internal_errors: list[str] = []
    while pending:
        function = pending.popleft()
        if function in analyses:
            continue
        try:
            analysis = analyze_function(resolver, ruleset, function)
        except (RecursionError, ValueError, TypeError, AttributeError, KeyError, AssertionError) as exc:
            # a construct the engine does not understand must not hide the other functions' findings
            internal_errors.append(
                f"{function.module.display_path}: {function.qualname}: {type(exc).__name__}: {exc}"
            )
            analysis = FunctionAnalysis(function)
        analyses[function] = analysis
        pending.extend(edge.callee for edge in analysis.edges if edge.callee not in analyses)

    chains, reached_by = _chains(workflows, analyses)
    positions: dict[Path, PositionIndex] = {}
    findings: list[Finding] = []
    seen: set[tuple[str, int, int, str, str]] = set()
    for function, analysis in analyses.items():
        for raw in analysis.findings:
            finding = _to_finding(raw, function, chains, reached_by, positions, config)
            if finding is None:
                continue
            key = (finding.path, finding.line, finding.col, finding.code, finding.message)
            if key not in seen:
                seen.add(key)
                findings.append(finding)
    for error in project.errors:
        findings.append(
            Finding(
                error.display_path,
                error.failure.line,
                error.failure.col,
                error.failure.line,
                error.failure.col,
                SYNTAX_ERROR_CODE,
                "syntax-error",
                error.failure.message,
                "fix the file so that Python can parse it; it was not linted",
                file=error.path,
            )
        )
    findings.sort(key=lambda f: (f.path, f.line, f.col, f.code))
    lines = sum(info.text.count("\n") for info in project.by_path.values() if info.reported)
    return LintResult(findings, len(files), lines, project.by_path, internal_errors)


def _chains(
    workflows: list[FunctionInfo], analyses: dict[FunctionInfo, FunctionAnalysis]
) -> tuple[dict[FunctionInfo, tuple[CallEdge, ...]], dict[FunctionInfo, list[FunctionInfo]]]:
    """For each reached function: the first (shortest, from the first workflow) chain of calls, and who
    reaches it."""
    chains: dict[FunctionInfo, tuple[CallEdge, ...]] = {}
    reached_by: dict[FunctionInfo, list[FunctionInfo]] = {}
    for workflow in workflows:
        visited = {workflow}
        queue: deque[FunctionInfo] = deque([workflow])
        chains.setdefault(workflow, ())
        reached_by.setdefault(workflow, []).append(workflow)
        while queue:
            function = queue.popleft()
            analysis = analyses.get(function)
            if analysis is None:
                continue
            for edge in analysis.edges:
                callee = edge.callee
                if callee in visited:
                    continue
                visited.add(callee)
                reached_by.setdefault(callee, []).append(workflow)
                if callee not in chains:
                    chains[callee] = (*chains.get(function, ()), edge)
                queue.append(callee)
    return chains, reached_by


def _to_finding(
    raw: RawFinding,
    function: FunctionInfo,
    chains: dict[FunctionInfo, tuple[CallEdge, ...]],
    reached_by: dict[FunctionInfo, list[FunctionInfo]],
    positions: dict[Path, PositionIndex],
    config: LintConfig,
) -> Finding | None:
    module = function.module
    rule = raw.rule
    ignored = config.ignored_for_file(module.path)
    if ignored and not is_enabled(rule.code, ["ALL"], ignored):
        return None
    index = positions.get(module.path)
    if index is None:
        index = positions[module.path] = PositionIndex(module)
    line, col, end_line, end_col = index.range_of(raw.node, function.top_stmt)
    if is_suppressed(module.line_text(line), rule.code):
        return None
    links: list[ChainLink] = []
    for edge in chains.get(function, ()):
        caller_index = positions.get(edge.caller.module.path)
        if caller_index is None:
            caller_index = positions[edge.caller.module.path] = PositionIndex(edge.caller.module)
        call_line, call_col, _, _ = caller_index.range_of(edge.node, edge.caller.top_stmt)
        links.append(
            ChainLink(
                edge.caller.qualname,
                edge.callee.qualname,
                edge.caller.module.display_path,
                call_line,
                call_col,
                edge.caller.display,
                edge.callee.display,
            )
        )
    workflows = tuple(w.qualname for w in reached_by.get(function, [function]))
    return Finding(
        module.display_path,
        line,
        col,
        end_line,
        end_col,
        rule.code,
        rule.name,
        raw.message,
        rule.replacement,
        function.qualname,
        workflows,
        tuple(links),
        raw.fix.description if raw.fix is not None else None,
        raw.no_fix_reason,
        raw.fix,
        module.path,
    )
