"""The dashboard's templates and static files ship in the package: pyproject.toml's package data names
every one of them (as setuptools reads its globs, relative to the package folder)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_template_and_static_file_of_the_ui_is_package_data() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["portaflow"]
    package = ROOT / "portaflow"
    shipped = {p for pattern in patterns for p in package.glob(pattern) if p.is_file()}
    ui_files = [
        p for folder in ("templates", "static") for p in (package / "ui" / folder).rglob("*") if p.is_file()
    ]
    assert {p.name for p in ui_files} >= {"base.html", "run.html", "inbox.html", "app.css", "app.js"}
    assert [str(p.relative_to(ROOT)) for p in ui_files if p not in shipped] == []
