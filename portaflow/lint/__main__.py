"""``python -m portaflow.lint [PATH ...]``: the same as ``portaflow lint``."""

from __future__ import annotations

import sys

from portaflow.lint.cli import main

if __name__ == "__main__":
    sys.exit(main())
