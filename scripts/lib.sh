# Shared by scripts/run and scripts/test: install what is missing, nothing more.
# Sourced, not run.

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${CALLCENTER_VENV:-$REPO/.venv}"

say() { printf '==> %s\n' "$*" >&2; }

# sandbox_state_dir: the Asterisk sandbox's logs, pid file and locks (as in
# scripts/asterisk-sandbox: beside its root, CALLCENTER_SANDBOX_DIR).
sandbox_state_dir() {
    local root="${CALLCENTER_SANDBOX_DIR:-$REPO/.sandbox/asterisk-root}"
    printf '%s\n' "${root%/}-state"
}

# ensure_apt PACKAGE... : apt-get install the Debian packages that are not installed yet.
ensure_apt() {
    local missing=()
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
            || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    say "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# ensure_venv EXTRAS : a virtualenv with the project installed (editable) plus EXTRAS.
ensure_venv() {
    local extras="$1"
    if [ ! -x "$VENV/bin/python" ]; then
        say "creating virtualenv $VENV"
        python3 -m venv "$VENV" 2>/dev/null || {
            ensure_apt python3-venv
            python3 -m venv "$VENV"
        }
    fi
    local stamp="$VENV/.installed-$extras"
    if [ ! -f "$stamp" ] || [ "$REPO/pyproject.toml" -nt "$stamp" ]; then
        say "installing Python dependencies ($extras)"
        "$VENV/bin/python" -m pip install -q --upgrade pip >/dev/null
        "$VENV/bin/python" -m pip install -q -e "$REPO[$extras]"
        touch "$stamp"
    fi
}
