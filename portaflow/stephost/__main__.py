"""``python -m portaflow.stephost FILE[:WORKFLOW] [--host H] [--port P]``: see portaflow/stephost/cli.py."""

import sys

from portaflow.stephost.cli import main

sys.exit(main())
