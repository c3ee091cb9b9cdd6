"""The README's layout table matches the folders: every path it names exists, and every package of
`portaflow/` (and every backend folder) has a row, so a new folder cannot land undocumented."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def layout_rows() -> dict[str, str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Layout", 1)[1].split("\n## ", 1)[0]
    rows: dict[str, str] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 2 and cells[0].startswith("`"):
            for path in re.findall(r"`([^`]+)`", cells[0]):
                rows[path.rstrip("/")] = cells[1]
    return rows


def test_every_path_in_the_layout_table_exists() -> None:
    rows = layout_rows()
    assert rows, "the README has no layout table"
    missing = [path for path in rows if not (ROOT / path).exists()]
    assert missing == []


def test_every_package_and_backend_folder_has_a_row() -> None:
    rows = layout_rows()
    packages = [p for p in (ROOT / "portaflow").iterdir() if p.is_dir() and (p / "__init__.py").exists()]
    backends = [
        p for p in (ROOT / "portaflow" / "backends").iterdir() if p.is_dir() and (p / "backend.py").exists()
    ]
    undocumented = [
        str(p.relative_to(ROOT)) for p in packages + backends if str(p.relative_to(ROOT)) not in rows
    ]
    assert undocumented == []


def test_the_compiler_row_names_its_subpackages() -> None:
    row = layout_rows()["portaflow/compiler"]
    for sub in (p.name for p in (ROOT / "portaflow" / "compiler").iterdir() if (p / "__init__.py").exists()):
        assert f"`{sub}/`" in row, sub
