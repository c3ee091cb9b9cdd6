"""Settings: ``[tool.portaflow.lint]`` in pyproject.toml, merged with command-line options.

Keys: ``select``, ``ignore``, ``extend-select``, ``per-file-ignores``, ``exclude`` and ``extend-exclude``
(both add to the built-in excludes). Rule selectors are codes
(``PF101``), prefixes (``PF1``, ``PF``) or ``ALL``; the longest matching selector wins, so ``select =
["PF1"]`` with ``ignore = ["PF101"]`` runs every PF1xx rule but PF101, and the reverse runs only PF101.
Patterns (``exclude``, ``per-file-ignores``) are globs relative to the directory of the pyproject.toml; a
pattern without a slash also matches any file or directory of that name."""

from __future__ import annotations

import fnmatch
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_EXCLUDES = (
    ".bzr",
    ".direnv",
    ".eggs",
    ".git",
    ".hg",
    ".mypy_cache",
    ".nox",
    ".pants.d",
    ".pytest_cache",
    ".ruff_cache",
    ".svn",
    ".tox",
    ".venv",
    "__pycache__",
    "__pypackages__",
    "_build",
    "buck-out",
    "build",
    "dist",
    "node_modules",
    "site-packages",
    "venv",
)

_KNOWN_KEYS = frozenset(
    {"select", "ignore", "extend-select", "per-file-ignores", "exclude", "extend-exclude"}
)


class ConfigError(Exception):
    """A mistake in the settings a user gave: reported as one line, exit code 2."""


def check_selectors(selectors: Iterable[str], codes: Sequence[str], where: str) -> list[str]:
    result: list[str] = []
    for raw in selectors:
        selector = raw.strip().upper()
        if not selector:
            continue
        if selector != "ALL" and not any(code.startswith(selector) for code in codes):
            raise ConfigError(
                f"{where}: unknown rule code or prefix {raw.strip()!r} (known: {', '.join(codes)})"
            )
        result.append(selector)
    return result


def _specificity(selector: str) -> int:
    return 0 if selector == "ALL" else len(selector)


def _matches(selector: str, code: str) -> bool:
    return selector == "ALL" or code.startswith(selector)


def is_enabled(code: str, select: Sequence[str], ignore: Sequence[str]) -> bool:
    chosen = max((_specificity(s) for s in select if _matches(s, code)), default=-1)
    if chosen < 0:
        return False
    ignored = max((_specificity(s) for s in ignore if _matches(s, code)), default=-1)
    return ignored < chosen


def path_matches(rel: str, pattern: str) -> bool:
    """Whether a path relative to the config root (posix) is matched by a glob, as a file or inside a
    directory."""
    pattern = pattern.strip().rstrip("/")
    if pattern.startswith("./"):
        pattern = pattern[2:]
    if not pattern:
        return False
    parts = rel.split("/")
    if "/" not in pattern:
        return any(fnmatch.fnmatchcase(part, pattern) for part in parts)
    return any(fnmatch.fnmatchcase("/".join(parts[:end]), pattern) for end in range(1, len(parts) + 1))


@dataclass(slots=True)
class LintConfig:
    root: Path
    source: Path | None = None  # the pyproject.toml read, if any
    select: list[str] = field(default_factory=lambda: ["ALL"])
    ignore: list[str] = field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    exclude: list[str] = field(default_factory=list)

    def relative(self, path: Path) -> str | None:
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return None

    def is_excluded(self, path: Path) -> bool:
        rel = self.relative(path)
        if rel is None:
            rel = path.resolve().as_posix().lstrip("/")
        return any(path_matches(rel, pattern) for pattern in (*DEFAULT_EXCLUDES, *self.exclude))

    def enabled_codes(self, codes: Sequence[str]) -> list[str]:
        return [code for code in codes if is_enabled(code, self.select, self.ignore)]

    def ignored_for_file(self, path: Path) -> list[str]:
        rel = self.relative(path)
        if rel is None:
            return []
        ignored: list[str] = []
        for pattern, selectors in self.per_file_ignores.items():
            if path_matches(rel, pattern):
                ignored.extend(selectors)
        return ignored


def find_pyproject(start: Path) -> Path | None:
    """The nearest pyproject.toml at or above ``start`` that has a ``[tool.portaflow.lint]`` table."""
    directory = start.resolve()
    if directory.is_file():
        directory = directory.parent
    for candidate_dir in (directory, *directory.parents):
        candidate = candidate_dir / "pyproject.toml"
        if candidate.is_file():
            try:
                data = tomllib.loads(candidate.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
                return candidate  # reported by load_config with its reason
            tool = data.get("tool")
            portaflow = tool.get("portaflow") if isinstance(tool, dict) else None
            if isinstance(portaflow, dict) and "lint" in portaflow:
                return candidate
    return None


def _string_list(value: object, where: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: expected a list of strings")
    return list(value)


def load_config(pyproject: Path | None, codes: Sequence[str], default_root: Path) -> LintConfig:
    if pyproject is None:
        return LintConfig(root=default_root.resolve())
    name = str(pyproject)
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{name}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{name}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{name}: invalid TOML: {exc}") from None
    config = LintConfig(root=pyproject.resolve().parent, source=pyproject)
    table = (
        data.get("tool", {}).get("portaflow", {}).get("lint") if isinstance(data.get("tool"), dict) else None
    )
    if table is None:
        return config
    where = f"{name} [tool.portaflow.lint]"
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: expected a table")
    unknown = sorted(set(table) - _KNOWN_KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r} (known: {', '.join(sorted(_KNOWN_KEYS))})")
    if "select" in table:
        config.select = check_selectors(
            _string_list(table["select"], f"{where} select"), codes, f"{where} select"
        )
    if "extend-select" in table:
        config.select += check_selectors(
            _string_list(table["extend-select"], f"{where} extend-select"), codes, f"{where} extend-select"
        )
    if "ignore" in table:
        config.ignore = check_selectors(
            _string_list(table["ignore"], f"{where} ignore"), codes, f"{where} ignore"
        )
    if "exclude" in table:
        config.exclude = _string_list(table["exclude"], f"{where} exclude")
    if "extend-exclude" in table:
        config.exclude += _string_list(table["extend-exclude"], f"{where} extend-exclude")
    if "per-file-ignores" in table:
        pfi = table["per-file-ignores"]
        if not isinstance(pfi, dict):
            raise ConfigError(f"{where} per-file-ignores: expected a table of pattern = [codes]")
        for pattern, selectors in pfi.items():
            key = f"{where} per-file-ignores {pattern!r}"
            config.per_file_ignores[pattern] = check_selectors(_string_list(selectors, key), codes, key)
    return config
