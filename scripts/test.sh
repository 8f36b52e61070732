#!/usr/bin/env bash
# Set everything up in .venv (Python 3.11+ and the package registry are all it needs), then run the
# linters, the type checker and the whole test suite, integration tests included.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[dev]"
# tests/test_redis_index.py needs redis-server (it skips without it). When it is missing, take it from the Debian
# packages: apt-get as root, else the .debs unpacked into a user cache (no root needed) and put on PATH.
if ! command -v redis-server >/dev/null && command -v apt-get >/dev/null; then
    if [ "$(id -u)" = 0 ]; then
        apt-get install -y -qq redis-server >/dev/null || { apt-get update -qq && apt-get install -y -qq redis-server >/dev/null; } || true
    else
        REDIS_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/dedup-redis"
        if [ ! -x "$REDIS_DIR/root/usr/bin/redis-server" ]; then
            mkdir -p "$REDIS_DIR" && (cd "$REDIS_DIR" && apt-get download -qq redis-server redis-tools liblzf1 libjemalloc2 \
                && for deb in ./*.deb; do dpkg -x "$deb" root; done) || true
        fi
        export PATH="$REDIS_DIR/root/usr/bin:$PATH" LD_LIBRARY_PATH="$REDIS_DIR/root/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    fi
    command -v redis-server >/dev/null || echo "warning: redis-server could not be installed; the Redis index tests will skip" >&2
fi
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/python -m pytest -q "$@"
