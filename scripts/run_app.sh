#!/usr/bin/env bash
# Set up the virtual environment .venv (on first use) and start Backprop Lab.
#
#   bash scripts/run_app.sh              # serves http://127.0.0.1:8501
#   PORT=8600 bash scripts/run_app.sh    # serves http://127.0.0.1:8600
#
# scripts/run_tests.sh sources this file for ensure_venv. When sourced, it only
# defines functions and starts nothing.

set -euo pipefail

repo_root="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)"
venv_dir="$repo_root/.venv"

# Print the name of a Python 3.11+ interpreter on PATH. If there is none, print
# how to install one and return 1.
find_python() {
    local candidate
    for candidate in python3.11 python3; do
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            echo "$candidate"
            return 0
        fi
    done
    echo "error: Python 3.11 or newer not found (tried python3.11 and python3)." >&2
    echo "Install Python 3.11, for example 'apt-get install python3 python3-venv' on Debian 12, then run this script again." >&2
    return 1
}

# Create .venv if it is missing, then install the given requirements file into it.
# The install is skipped when the requirements files are unchanged since the
# last successful install. Delete .venv to force a fresh one.
ensure_venv() {
    local requirements="$1"
    local python stamp_file wanted_stamp

    if [[ ! -x "$venv_dir/bin/python" ]]; then
        python="$(find_python)"
        echo "Creating virtual environment $venv_dir with $python ($("$python" --version 2>&1))"
        if ! "$python" -m venv "$venv_dir"; then
            rm -rf -- "$venv_dir"
            echo "error: '$python -m venv' failed. On Debian, install the venv module with 'apt-get install python3-venv' and run this script again." >&2
            return 1
        fi
    fi

    if ! "$venv_dir/bin/python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
        echo "error: $venv_dir uses $("$venv_dir/bin/python" --version 2>&1), but Backprop Lab needs Python 3.11 or newer." >&2
        echo "Delete it with 'rm -rf $venv_dir' and run this script again." >&2
        return 1
    fi

    # Each requirements file has its own stamp, so running the app after the
    # tests does not reinstall. The stamp hashes every requirements file,
    # because requirements-test.txt includes requirements.txt.
    stamp_file="$venv_dir/.installed-$requirements"
    wanted_stamp="$(cat "$repo_root"/requirements*.txt | sha256sum | cut -d' ' -f1)"
    if [[ -f "$stamp_file" && "$(cat "$stamp_file")" == "$wanted_stamp" ]]; then
        return 0
    fi

    echo "Installing $requirements into $venv_dir (the first time can take a few minutes)..."
    rm -f -- "$stamp_file"
    # --quiet hides progress lines, but pip still prints errors and exits non-zero on failure.
    if ! "$venv_dir/bin/python" -m pip install --quiet --disable-pip-version-check \
        -r "$repo_root/$requirements"; then
        echo "error: installing $requirements failed (see pip's message above)." >&2
        return 1
    fi
    echo "$wanted_stamp" >"$stamp_file"
}

main() {
    local port="${PORT:-8501}"
    if ! [[ "$port" =~ ^[0-9]{1,5}$ ]] || ((10#$port < 1 || 10#$port > 65535)); then
        echo "error: PORT must be a whole number from 1 to 65535, got '$port'. Unset it to use 8501." >&2
        exit 2
    fi
    port=$((10#$port)) # "08" becomes 8 instead of an octal error

    cd -- "$repo_root"
    if [[ ! -f app.py ]]; then
        echo "error: $repo_root/app.py not found. Run this script from a complete checkout of Backprop Lab." >&2
        exit 1
    fi

    ensure_venv requirements.txt

    echo "Backprop Lab: open http://127.0.0.1:$port in your browser. Press Ctrl+C to stop the server."
    exec "$venv_dir/bin/python" -m streamlit run app.py \
        --server.address 127.0.0.1 \
        --server.port "$port" \
        --server.headless true \
        --browser.gatherUsageStats false
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    main "$@"
fi
