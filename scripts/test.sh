#!/usr/bin/env bash
# Installs everything the test suite needs, then runs it. The README's test command; CI calls it too.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install --quiet --disable-pip-version-check -e '.[test]'
exec python3 -m pytest "$@"
