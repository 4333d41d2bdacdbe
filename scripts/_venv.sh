# Sourced by scripts/serve and scripts/test: make sure ./.venv exists and is current.
ensure_venv() {
  local extra="$1"
  if [ ! -x .venv/bin/python ]; then
    if ! python3 -m venv .venv 2>/dev/null; then
      # Debian's python3 ships venv separately.
      if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
        rm -rf .venv && python3 -m venv .venv
      else
        echo "python3 -m venv failed: install python3-venv (Debian) and retry" >&2
        exit 1
      fi
    fi
    .venv/bin/python -m pip install -q --upgrade pip
  fi
  # Reinstall only when pyproject.toml changed since the last install.
  local stamp=".venv/.lumadb-installed$extra"
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    .venv/bin/python -m pip install -q -e ".$extra" 2>&1 | grep -v '^WARNING: Location' || true
    touch "$stamp"
  fi
}
