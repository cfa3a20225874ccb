# Sourced by ./run: find_python prints the newest Python 3.11+ on the PATH (or $PYTHON).
#
# It prints the interpreter's own path (sys.executable), not the name found on the PATH: a
# pyenv or asdf shim is a different path from the interpreter .venv was made from, and uv
# removes and recreates .venv for every request it cannot match, so each ./run (a second
# terminal's `./run totp`) swapped the packages under a running demo server.
find_python() {
  local candidate real
  for candidate in ${PYTHON:-} python3.13 python3.12 python3.11 python3; do
    command -v "$candidate" >/dev/null 2>&1 || continue
    if real="$("$candidate" -c 'import sys
if sys.version_info < (3, 11): sys.exit(1)
print(sys.executable)' 2>/dev/null)" && [ -n "$real" ]; then
      echo "$real"; return 0
    fi
  done
  echo "run: Beatbook needs Python 3.11 or newer on the PATH (or set PYTHON=/path/to/python)." >&2
  exit 1
}
