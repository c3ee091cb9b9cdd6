"""The shared reading of source: PEP 263 decoding, CPython's syntax-error positions, module names; and
`portaflow run` (the local engine) does not load libcst."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from portaflow.compiler import compile_file, compile_source
from portaflow.lint.engine.project import Project
from portaflow.source.finder import ImportProblem, absolute_name, entry_module, module_name
from portaflow.source.parse import ParseFailure, decode_source, parse_module

REPO = Path(__file__).resolve().parents[2]


def test_importing_the_local_engine_does_not_load_libcst() -> None:
    code = "import portaflow.local_engine, sys; assert 'libcst' not in sys.modules, 'libcst loaded'"
    env_path = str(REPO)
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": env_path, "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    "source",
    [
        "x = (1,\n",
        "def f(:\n    pass\n",
        "x = 1 +\n",
        'x = "abc\n',
        "if x:\npass\n",
        "\n\ndef charge(:\n",
        "x = 1\n  y = 2\n",
        "f(**x, *y)\n",
        "x = [1, 2\ny = 3\n",
    ],
)
def test_a_syntax_error_is_where_cpython_puts_it(source: str) -> None:
    with pytest.raises(SyntaxError) as py:
        compile(source, "m.py", "exec")
    with pytest.raises(ParseFailure) as ours:
        parse_module(source)
    assert (ours.value.line, ours.value.col) == (py.value.lineno, py.value.offset)
    assert ours.value.message == f"syntax error: {py.value.msg}"


def test_a_coding_cookie_is_honoured_by_lint_and_the_compiler(tmp_path: Path) -> None:
    text = (
        "# -*- coding: latin-1 -*-\nfrom portaflow import Context, workflow\n\n\n@workflow\n"
        "def w(ctx: Context) -> str:\n    return 'caf\xe9'\n"
    )
    flow = tmp_path / "latin.py"
    flow.write_bytes(text.encode("latin-1"))
    assert decode_source(flow.read_bytes()) == text
    res = compile_file(flow)
    assert res.errors == [] and res.program is not None
    expected = compile_source(text, str(flow)).program
    assert expected is not None and res.program.workflows == expected.workflows
    project = Project(display=str, is_excluded=lambda _: False)
    info = project.load(flow)
    assert info is not None and info.text == text and project.errors == []


def test_bytes_that_do_not_decode_are_a_parse_failure_and_a_unicode_error_to_compile_file(
    tmp_path: Path,
) -> None:
    with pytest.raises(ParseFailure, match="cannot decode file as utf-8"):
        decode_source(b"x = 1\n\ny = '\xe9'\n")
    bad = tmp_path / "bad.py"
    bad.write_bytes(b"x = 1\n\ny = '\xe9'\n")
    with pytest.raises(UnicodeDecodeError):
        compile_file(bad)


def test_module_names(tmp_path: Path) -> None:
    pkg = tmp_path / "shop"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "flow.py").write_text("")
    assert entry_module(pkg / "flow.py")[:2] == ("shop.flow", tmp_path.resolve())
    assert module_name(pkg / "flow.py") == ("shop.flow", False, tmp_path.resolve())
    assert module_name(pkg / "__init__.py") == ("shop", True, tmp_path.resolve())
    assert entry_module(tmp_path / "loose.py")[0] == "loose"


@pytest.mark.parametrize(
    ("importer", "is_package", "module", "level", "strict", "lenient"),
    [
        ("shop.flow", False, "steps", 1, "shop.steps", "shop.steps"),
        ("shop", True, "steps", 1, "shop.steps", "shop.steps"),
        ("shop.sub.flow", False, None, 2, "shop", "shop"),
        ("shop.flow", False, "x", 0, "x", "x"),
        ("flow", False, "steps", 1, None, "steps"),
        ("shop.flow", False, "steps", 2, None, "steps"),
    ],
)
def test_relative_imports(
    importer: str, is_package: bool, module: str | None, level: int, strict: str | None, lenient: str
) -> None:
    """The compiler refuses what Python refuses; lint resolves it as best it can and keeps going."""
    if strict is None:
        with pytest.raises(ImportProblem):
            absolute_name(importer, is_package, module, level)
    else:
        assert absolute_name(importer, is_package, module, level) == strict
    assert absolute_name(importer, is_package, module, level, lenient=True) == lenient
