"""Shared test helpers. The ``portaflow_engine`` fixture comes from portaflow's own pytest plugin."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from portaflow.local_engine import Engine


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        help="rewrite the golden files of generated code (ASL...) instead of comparing; review the diff",
    )


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "runs.db"


@pytest.fixture
def real_engine(db_path: Path) -> Iterator[Engine]:
    """An engine on the real clock, for tests whose timers are milliseconds long."""
    engine = Engine(db_path)
    try:
        yield engine
    finally:
        engine.close()


def kinds(events: list) -> list[str]:  # type: ignore[type-arg]
    return [e.kind for e in events]
