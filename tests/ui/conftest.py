"""Fixtures of the dashboard's tests: a database, one headless Chromium (Debian's, driven by Playwright)
for the whole session, and the folder the screenshots go to. The helpers are in uikit.py."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from uikit import CHROMIUM, CHROMIUM_ARGS, HERE


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "runs.db"


# ----- the browser ------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for every browser test: Debian's /usr/bin/chromium (scripts/test.sh installs
    it); Playwright's own browser download is never used."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's chromium (scripts/test.sh installs it)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where the browser tests save screenshots: $PORTAFLOW_TEST_ARTIFACTS, else tests/ui/.artifacts."""
    folder = Path(os.environ.get("PORTAFLOW_TEST_ARTIFACTS") or HERE / ".artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots of the dashboard: {folder}")
    return folder
