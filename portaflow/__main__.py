import sys

from portaflow.cli import main

sys.exit(main())
