# Shared helpers for the scripts in Scripts/. Source it; it does nothing on its own.
# shellcheck shell=bash

# The project root: the parent of the folder that holds this file.
TUF_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export TUF_ROOT

# The interop venv and its interpreter.
TUF_VENV="$TUF_ROOT/.venv"
TUF_VENV_PYTHON="$TUF_VENV/bin/python"

# Prints a section header, so a long CI log is easy to scan.
section() {
    printf '\n==== %s ====\n' "$*"
}

# Prints a message to stderr, prefixed with the script's name.
note() {
    printf '%s: %s\n' "$(basename "$0")" "$*" >&2
}

# Prints a message to stderr and exits 1.
die() {
    note "error: $*"
    exit 1
}

# Runs a command as root: directly when we are root, through sudo otherwise.
as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "need root (or sudo) to run: $*"
    fi
}

# Installs Debian packages quietly and without prompts, after refreshing the lists once.
apt_install() {
    if [ -z "${_TUF_APT_UPDATED:-}" ]; then
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
        _TUF_APT_UPDATED=1
    fi
    as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
