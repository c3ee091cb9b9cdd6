#!/usr/bin/env bash
# Installs everything the test suite needs into the virtual environment .venv (created if missing, as the
# README's first command does), then runs the suite with its Python. The README's test command; CI calls
# it too (.ci/run). It never installs into the system's Python, which may refuse (PEP 668).
#   pip: portaflow with its 'test' extra (pytest, hypothesis, moto, jsonata-python, cfn-lint, boto3)
#   pip: starlette, uvicorn, httpx (the step host the Cloudflare worker calls, and its tests)
#   apt: chromium (Debian's), the headless browser tests/ui drives through Playwright for Python (in the
#        'test' extra); Playwright's own browser download is never used
#   npm: asl-validator, which validates every generated Step Functions definition, and jsonata 2.0.6 (the
#        JavaScript implementation Step Functions runs) against which tests/aws/test_jsonata_js.py checks the
#        offline evaluator and the expression lowering
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  if ! python3 -m venv .venv; then
    echo "scripts/test.sh: python3 -m venv failed; on Debian or Ubuntu install python3-venv" >&2
    exit 1
  fi
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
if [ ! -x /usr/bin/chromium ]; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "scripts/test.sh: the browser tests (tests/ui) need Debian's chromium at /usr/bin/chromium:" \
      "run 'apt-get install chromium' as root" >&2
    exit 1
  fi
fi
if [ ! -x node_modules/.bin/asl-validator ] || ! grep -qs '"version": "2.0.6"' node_modules/jsonata/package.json; then
  if ! command -v npm >/dev/null 2>&1; then
    if command -v apt-get >/dev/null 2>&1; then
      apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null
    else
      echo "scripts/test.sh: npm is needed to install asl-validator (install Node.js)" >&2
      exit 1
    fi
  fi
  npm install --no-save --no-audit --no-fund --silent asl-validator@4.0.0 jsonata@2.0.6
fi
# the Cloudflare backend's offline executor and static gates: Miniflare (workerd), esbuild, tsc, wrangler,
# pinned by portaflow/backends/cloudflare/offline/node/package-lock.json, into a cache folder (npm ci once)
.venv/bin/python -m portaflow.backends.cloudflare.offline.node >/dev/null
# as an activated environment does: the tools the tests call by name (ruff, portaflow) are the venv's
export PATH="$PWD/.venv/bin:$PATH"
exec .venv/bin/python -m pytest "$@"
