#!/usr/bin/env bash
# Install the Debian packages the test suite needs (PostgreSQL, Chromium, npm), before pytest runs.
#
# Run by `make test` on a fresh CI machine (as root, with network access only
# to package registries).  Each requirement is a check command plus the Debian
# packages that satisfy it; when every check passes the script does nothing and
# returns at once (no `apt-get update`).  When not root, missing packages only
# produce a warning: the affected tests skip (or fail under
# ARCHIVE_REQUIRE_SERVICES=1, see tests/support/services.py).
set -euo pipefail

APT_UPDATED=0
POLICY_RC=/usr/sbin/policy-rc.d
REMOVE_POLICY_RC=0

warn() { printf 'install-system-deps: warning: %s\n' "$*" >&2; }
info() { printf 'install-system-deps: %s\n' "$*" >&2; }

cleanup() {
    if [ "$REMOVE_POLICY_RC" -eq 1 ]; then
        rm -f "$POLICY_RC"
    fi
}
trap cleanup EXIT

# Package installs must not start system services (e.g. Debian's default
# PostgreSQL cluster on port 5432): tests start their own throwaway servers.
block_service_starts() {
    if [ ! -e "$POLICY_RC" ]; then
        printf '#!/bin/sh\nexit 101\n' >"$POLICY_RC"
        chmod 0755 "$POLICY_RC"
        REMOVE_POLICY_RC=1
    fi
}

# ensure_packages CHECK PACKAGE...
#   CHECK is a command (usually a shell function) that succeeds when the
#   requirement is already met.  Otherwise, as root, install PACKAGE... with
#   apt-get (running `apt-get update` at most once per script run).
ensure_packages() {
    local check="$1"
    shift
    if "$check" >/dev/null 2>&1; then
        return 0
    fi
    if [ "$(id -u)" -ne 0 ]; then
        warn "'$check' failed and not running as root; not installing: $*." \
            "Tests needing them will be skipped (install: apt-get install $*)."
        return 0
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        warn "'$check' failed and apt-get is not available; not installing: $*."
        return 0
    fi
    block_service_starts
    if [ "$APT_UPDATED" -eq 0 ]; then
        info "apt-get update"
        apt-get update -qq
        APT_UPDATED=1
    fi
    info "installing: $*"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
    if ! "$check" >/dev/null 2>&1; then
        printf "install-system-deps: error: '%s' still fails after installing: %s\n" "$check" "$*" >&2
        exit 1
    fi
}

# PostgreSQL server binaries, used by tests/support/postgres.py.
have_postgres_server() {
    compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null
}

ensure_packages have_postgres_server postgresql

# Chromium for the browser tests (tests/e2e/browser), driven by Playwright: Debian's build,
# never a downloaded one. chromium-driver comes with it for WebDriver-based tools.
have_chromium() {
    command -v chromium && command -v chromedriver
}

ensure_packages have_chromium chromium chromium-driver

# npm, which `make test` uses to install axe-core (tests/e2e/browser/package-lock.json).
have_npm() {
    command -v npm
}

ensure_packages have_npm npm
