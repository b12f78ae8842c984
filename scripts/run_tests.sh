#!/usr/bin/env bash
# Set up the virtual environment .venv (on first use) and run the test suite.
#
#   bash scripts/run_tests.sh                      # every test
#   bash scripts/run_tests.sh tests/browser -x     # arguments go to pytest
#   bash scripts/run_tests.sh -m "not browser"     # skip the real-browser tests
#
# The browser tests use Debian's Chromium at /usr/bin/chromium. When it is
# missing, this script installs it as root, or prints the command to run
# otherwise. Exits with pytest's exit code, except that a run that collected no
# tests counts as a failure.

set -euo pipefail

# Defines repo_root, venv_dir and ensure_venv without starting the app.
source "$(dirname -- "${BASH_SOURCE[0]}")/run_app.sh"

chromium_path=/usr/bin/chromium
chromium_install_command="apt-get update && apt-get install -y chromium"

# Install Debian's Chromium when it is missing and we are root. Otherwise print
# the command that installs it. Without Chromium, the browser tests are skipped,
# or fail when CI=true.
ensure_chromium() {
    if [[ -x "$chromium_path" ]]; then
        return 0
    fi
    if [[ "$(id -u)" -ne 0 ]]; then
        echo "warning: $chromium_path not found, so the browser tests cannot run." >&2
        echo "Install Debian's Chromium with: sudo apt-get update && sudo apt-get install -y chromium" >&2
        return 0
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "warning: $chromium_path not found and apt-get is not available. Install Chromium at $chromium_path by hand." >&2
        return 0
    fi
    echo "Installing Debian's Chromium: $chromium_install_command"
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
}

# Install Debian's nginx when it is missing and we are root. Otherwise print the
# command that installs it. Without nginx, the test of deploy/ (several app
# processes behind nginx) is skipped, or fails when CI=true. On a machine that
# runs systemd, Debian's package also starts its own nginx service on port 80;
# the tests do not use that service.
ensure_nginx() {
    # Debian installs nginx in /usr/sbin, which is not on every user's PATH.
    if command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]]; then
        return 0
    fi
    if [[ "$(id -u)" -ne 0 ]]; then
        echo "warning: nginx not found, so the test of deploy/ cannot run." >&2
        echo "Install Debian's nginx with: sudo apt-get update && sudo apt-get install -y nginx" >&2
        return 0
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "warning: nginx not found and apt-get is not available. Install nginx by hand." >&2
        return 0
    fi
    echo "Installing Debian's nginx: apt-get update && apt-get install -y nginx"
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y nginx
}

cd -- "$repo_root"
ensure_venv requirements-test.txt
ensure_chromium
ensure_nginx

status=0
"$venv_dir/bin/python" -m pytest "$@" || status=$?

# pytest exits with 5 when it collected no tests, for example after a typo in a
# path or a -k expression. A run that tested nothing must not look like a pass.
if ((status == 5)); then
    echo "error: pytest collected no tests (exit code 5). Check the paths and -k/-m arguments: $*" >&2
fi
exit "$status"
