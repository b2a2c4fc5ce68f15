#!/usr/bin/env bash
# A long fuzz run of every property-based fuzz test (amount parser, CLI arguments, event
# decoder and upcasters, import file reader): the normal suite's examples times SCALE.
#   tools/fuzz.sh [SCALE=50] [pytest args...]
# CI runs the same tests at scale 1 as part of the suite. A failure prints the
# falsifying example: add it as an @example(...) regression seed next to the test.
set -euo pipefail
cd "$(dirname "$0")/.."
scale="${1:-50}"
shift || true
ESGUI_FUZZ_SCALE="$scale" exec "${PYTHON:-python}" -m pytest -m fuzz -p no:cacheprovider "$@"
