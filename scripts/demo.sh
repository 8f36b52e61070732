#!/usr/bin/env bash
# Set everything up in .venv, then run the main job on the sample corpus: cleaned files, report.jsonl
# and summary.json go to out/ (replaced if it exists).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .
.venv/bin/dedup clean corpus/ -o out/ --force
