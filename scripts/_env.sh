# Shared by scripts/demo.sh and scripts/test.sh: find Python >= 3.12 and make the project's virtualenv.
# Why a script and not just pip: Django 6 needs Python 3.12+, which a fresh Debian 12 machine has only through pyenv.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${WEBCARE_VENV:-$ROOT/.venv}"

find_python() {
  local candidate
  for candidate in python3.13 python3.12 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
      command -v "$candidate"; return 0
    fi
  done
  for candidate in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[2-9]*/bin/python3; do
    if [ -x "$candidate" ]; then echo "$candidate"; return 0; fi
  done
  echo "webcare needs Python 3.12 or newer (Django 6); none was found on PATH or in pyenv." >&2
  return 1
}

make_venv() {  # $1: pip extras, e.g. "" or "[test]"
  if [ ! -x "$VENV/bin/python" ]; then
    "$(find_python)" -m venv "$VENV"
  fi
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$ROOT$1"
}
