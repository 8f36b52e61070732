#!/usr/bin/env bash
# Create one virtual environment per peer tool under benchmarks/.venvs/<peer>/ (git-ignored).
#
# Why separate venvs: the peers pin numpy, datasets, pyarrow, ... in ways that conflict with each other and with
# dedup's own venv, so each one gets its own and `benchmarks.sign_speed` runs it in a subprocess on the same
# paragraph file. A peer that fails to install leaves a `FAILED` file with the reason, which the benchmark
# reports as "not available (reason)" instead of stopping.
#
#     bash benchmarks/setup_peers.sh [peer ...]      # default: every peer below
#
# PYTHON picks the base interpreter (default: python3 on PATH outside any venv).
set -u

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venvs="$here/.venvs"
python="${PYTHON:-python3}"
mkdir -p "$venvs"

pip_spec() {
    # The pip requirement(s) for one peer; peers keep their own pins.
    case "$1" in
        rensa) echo "rensa" ;;
        text-dedup) echo "text-dedup" ;;
        # The MinHash step imports these optional extras (spaCy: its own tokenizer); xxhash 4 rejects the str it passes.
        datatrove) echo "datatrove regex tokenizers xxhash<4 spacy" ;;
        # HTML main-content extractors, compared with dedup's HTML input by benchmarks.eval_html.
        trafilatura) echo "trafilatura lxml_html_clean" ;;
        resiliparse) echo "resiliparse" ;;
        justext) echo "justext lxml_html_clean" ;;
        readability-lxml) echo "readability-lxml lxml_html_clean" ;;
        *) return 1 ;;
    esac
}

setup_one() {
    local peer="$1" dir="$venvs/$1" spec
    if ! spec="$(pip_spec "$peer")"; then
        echo "unknown peer: $peer" >&2
        return 1
    fi
    rm -rf "$dir"
    mkdir -p "$dir"
    if ! "$python" -m venv "$dir" >"$venvs/$peer.log" 2>&1; then
        echo "python3 -m venv failed" >"$dir/FAILED"
        return 0
    fi
    # shellcheck disable=SC2086
    if ! timeout 900 "$dir/bin/pip" install --disable-pip-version-check -q $spec >>"$venvs/$peer.log" 2>&1; then
        local reason
        reason="$(grep -E '^(ERROR|error):' "$venvs/$peer.log" | head -n 1 | cut -c1-200)"
        echo "pip install $spec failed: ${reason:-see benchmarks/.venvs/$peer.log}" >"$dir/FAILED"
        return 0
    fi
    "$dir/bin/pip" freeze --disable-pip-version-check >"$dir/FREEZE" 2>/dev/null
    echo "$peer: installed ($(grep -i -E "^${spec%% *}==" "$dir/FREEZE" || echo "$spec"))"
}

if [ "$#" -eq 0 ]; then
    set -- rensa text-dedup datatrove trafilatura resiliparse justext readability-lxml
fi
# Drop an active venv so the peers are built from the base interpreter, not from dedup's venv.
if [ -n "${VIRTUAL_ENV:-}" ] && [ -z "${PYTHON:-}" ]; then
    PATH="$(echo "$PATH" | tr ':' '\n' | grep -v -x "$VIRTUAL_ENV/bin" | paste -sd: -)"
    python="$(command -v python3)"
fi
for peer in "$@"; do
    setup_one "$peer"
    if [ -f "$venvs/$peer/FAILED" ]; then
        echo "$peer: not available ($(cat "$venvs/$peer/FAILED"))"
    fi
done
