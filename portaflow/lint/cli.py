"""``portaflow lint``: the command line. Exit codes: 0 clean, 1 findings, 2 usage or configuration error."""

from __future__ import annotations

import argparse
import io
import sys
import tokenize
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from portaflow.cli import LINT_HELP
from portaflow.lint.config import ConfigError, LintConfig, check_selectors, find_pyproject, load_config
from portaflow.lint.fixes import fixed_source, unified_diff
from portaflow.lint.output import format_json, format_sarif, format_text
from portaflow.lint.rules import ALL_CODES
from portaflow.lint.rules.base import Fix
from portaflow.lint.runner import Finding, LintResult, UsageError, lint

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2


def _split(values: Sequence[str] | None) -> list[str] | None:
    if values is None:
        return None
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``portaflow lint``'s parser. Its line in `portaflow --help` is portaflow.cli's LINT_HELP, defined there
    so that listing the commands does not import the linter."""
    parser = subparsers.add_parser(
        "lint",
        help=LINT_HELP,
        description=(
            "Statically check the code that @workflow functions run (and the helpers they call) for "
            "nondeterminism that breaks replay. Never imports or runs the code. Rules: docs/lint-rules.md."
        ),
    )
    configure_parser(parser)
    parser.set_defaults(handler=run)


def configure_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths", nargs="*", default=["."], metavar="PATH", help="files or directories (default: .)"
    )
    parser.add_argument(
        "--format",
        "--output-format",
        dest="format",
        choices=("text", "json", "sarif"),
        default="text",
        help="output format (default: text)",
    )
    parser.add_argument(
        "--select", action="append", metavar="CODES", help="rule codes or prefixes to run (PF101,PF1)"
    )
    parser.add_argument("--ignore", action="append", metavar="CODES", help="rule codes or prefixes to skip")
    parser.add_argument("--extend-select", action="append", metavar="CODES", help="add to the selected rules")
    parser.add_argument("--fix", action="store_true", help="apply the safe automatic fixes in place")
    parser.add_argument(
        "--diff", action="store_true", help="print the fixes as a unified diff; change nothing"
    )
    parser.add_argument("--config", metavar="PYPROJECT", help="read settings from this pyproject.toml")
    parser.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")


def _load_config(args: argparse.Namespace, cwd: Path) -> LintConfig:
    pyproject: Path | None
    if args.config:
        pyproject = Path(args.config)
        if not pyproject.is_file():
            raise ConfigError(f"config file not found: {args.config}")
    else:
        first = Path(args.paths[0]) if args.paths else cwd
        pyproject = find_pyproject(first if first.exists() else cwd) or find_pyproject(cwd)
    config = load_config(pyproject, ALL_CODES, cwd)
    select = _split(args.select)
    if select is not None:
        config.select = check_selectors(select, ALL_CODES, "--select")
    extend = _split(args.extend_select)
    if extend:
        config.select += check_selectors(extend, ALL_CODES, "--extend-select")
    ignore = _split(args.ignore)
    if ignore:
        config.ignore += check_selectors(ignore, ALL_CODES, "--ignore")
    return config


def run(args: argparse.Namespace) -> int:
    cwd = Path.cwd()
    try:
        config = _load_config(args, cwd)
        paths = [Path(p) for p in (args.paths or ["."])]
        result = lint(paths, config, cwd=cwd)
        if result.files == 0:
            where = ", ".join(str(p) for p in paths)
            print(
                f"portaflow lint: no Python files to check in {where} (none there, or all excluded by "
                "the configuration); nothing was checked",
                file=sys.stderr,
            )
            if args.format != "text":
                _print(args, [])
            return EXIT_CLEAN
        for problem in result.internal_errors:
            print(
                f"portaflow lint: internal error, not checked: {problem} (please report this)",
                file=sys.stderr,
            )
        if args.diff:
            return _exit(args, _run_diff(result))
        if args.fix:
            fixed = _apply_fixes(result)
            if fixed:
                result = lint(paths, config, cwd=cwd)
            _print(args, result.findings, fixed_count=fixed)
            return _exit(args, EXIT_FINDINGS if result.findings else EXIT_CLEAN)
        _print(args, result.findings)
        return _exit(args, EXIT_FINDINGS if result.findings else EXIT_CLEAN)
    except (ConfigError, UsageError) as exc:
        print(f"portaflow lint: error: {exc}", file=sys.stderr)
        return EXIT_USAGE


def _exit(args: argparse.Namespace, code: int) -> int:
    return EXIT_CLEAN if args.exit_zero and code == EXIT_FINDINGS else code


def _print(args: argparse.Namespace, findings: Sequence[Finding], fixed_count: int | None = None) -> None:
    if args.format == "json":
        sys.stdout.write(format_json(findings))
    elif args.format == "sarif":
        sys.stdout.write(format_sarif(findings))
    else:
        if fixed_count is not None:
            sys.stdout.write(f"Fixed {fixed_count} finding{'s' if fixed_count != 1 else ''}.\n")
            if findings:
                sys.stdout.write("These could not be fixed automatically:\n")
        sys.stdout.write(format_text(findings, fix_hint=fixed_count is None))


def _fixes_by_file(result: LintResult) -> dict[Path, list[Fix]]:
    grouped: dict[Path, list[Fix]] = defaultdict(list)
    for finding in result.findings:
        if finding.fix is not None and finding.file is not None:
            grouped[finding.file].append(finding.fix)
    return grouped


def _encoding_of(path: Path) -> str:
    try:
        return tokenize.detect_encoding(io.BytesIO(path.read_bytes()).readline)[0]
    except (OSError, SyntaxError):
        return "utf-8"


def _apply_fixes(result: LintResult) -> int:
    count = 0
    for path, fixes in _fixes_by_file(result).items():
        info = result.modules[path]
        new_text = fixed_source(info, fixes)
        if new_text != info.text:
            try:
                path.write_bytes(new_text.encode(_encoding_of(path)))
            except OSError as exc:
                raise UsageError(f"cannot write {info.display_path}: {exc.strerror or exc}") from None
            count += len(fixes)
    return count


def _run_diff(result: LintResult) -> int:
    fixable = 0
    for path, fixes in sorted(_fixes_by_file(result).items()):
        info = result.modules[path]
        new_text = fixed_source(info, fixes)
        sys.stdout.write(unified_diff(info.display_path, info.text, new_text))
        fixable += len(fixes)
    remaining = [f for f in result.findings if f.fix is None]
    if remaining:
        sys.stderr.write(format_text(remaining, show_summary=False, fix_hint=False))
    sys.stderr.write(
        f"{fixable} finding{'s' if fixable != 1 else ''} would be fixed; "
        f"{len(remaining)} cannot be fixed automatically.\n"
    )
    return EXIT_FINDINGS if result.findings else EXIT_CLEAN


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m portaflow.lint`` (the same options as ``portaflow lint``)."""
    parser = argparse.ArgumentParser(
        prog="portaflow lint", description="Check workflow code for nondeterminism."
    )
    configure_parser(parser)
    args = parser.parse_args(argv)
    return run(args)
