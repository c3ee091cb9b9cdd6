"""``python -m portaflow.compiler compile|graph ...`` (the same commands as ``portaflow compile|graph``)."""

from .cli import main

raise SystemExit(main())
