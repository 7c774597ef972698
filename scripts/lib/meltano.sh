# shellcheck shell=bash
# Shared by scripts/demo and scripts/test (sourced, not run): Python checks and the
# Meltano install into its own virtualenv (Meltano pins packages that clash with singer-sdk).
#
# Before sourcing, set ROOT (the repository) and define note MESSAGE... (a progress line)
# and die MESSAGE... (print, exit 1).
# Settings (environment): PYTHON (python3), MELTANO_VENV (.meltano-venv), MELTANO_SPEC.

PYTHON="${PYTHON:-python3}"
MELTANO_VENV="${MELTANO_VENV:-$ROOT/.meltano-venv}"
MELTANO_SPEC="${MELTANO_SPEC:-meltano>=4.4,<5}"
MELTANO="$MELTANO_VENV/bin/meltano"

# Python 3.10 or newer, or die.
require_python() {
  command -v "$PYTHON" >/dev/null 2>&1 || die "$PYTHON not found: Python 3.10 or newer is needed"
  "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' \
    || die "$("$PYTHON" --version 2>&1) is too old: Python 3.10 or newer is needed"
}

# `python3 -m venv` works (Debian's python3 needs python3-venv: installed when root).
require_venv_module() {
  "$PYTHON" -c 'import ensurepip, venv' 2>/dev/null && return 0
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    note "installing python3-venv (apt-get)"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
  else
    die "$PYTHON cannot make virtualenvs: install python3-venv"
  fi
}

# Meltano ($MELTANO_SPEC) in $MELTANO_VENV; skipped when the stamp says it is there.
install_meltano() {
  local where="${MELTANO_VENV#"$ROOT"/}"
  if [[ -x "$MELTANO" && "$(cat "$MELTANO_VENV/.restspec-stamp" 2>/dev/null)" == "$MELTANO_SPEC" ]]; then
    note "Meltano is installed in $where ($("$MELTANO" --version 2>/dev/null | tail -1))"
    return 0
  fi
  [[ -x "$MELTANO_VENV/bin/python" ]] || require_venv_module
  note "installing $MELTANO_SPEC into $where (its own virtualenv)"
  [[ -x "$MELTANO_VENV/bin/python" ]] || "$PYTHON" -m venv "$MELTANO_VENV"
  if ! "$MELTANO_VENV/bin/python" -m pip install --disable-pip-version-check "$MELTANO_SPEC" \
    >"$MELTANO_VENV/install.log" 2>&1; then
    tail -n 30 "$MELTANO_VENV/install.log" >&2
    die "could not install Meltano; the whole log is $MELTANO_VENV/install.log"
  fi
  echo "$MELTANO_SPEC" >"$MELTANO_VENV/.restspec-stamp"
  note "installed $("$MELTANO" --version 2>/dev/null | tail -1)"
}
