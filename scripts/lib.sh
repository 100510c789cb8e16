# Shared steps of scripts/demo and scripts/test. Sourced, not run.
# Each step installs or starts what it needs, so both commands work on a fresh Debian machine.

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

apt_install() {
  # apt_install PACKAGE... : install Debian packages that are missing (needs root or sudo).
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  say "Installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

ensure_python_env() {
  # A virtual environment in .venv with exactly the locked packages (uv.lock).
  if ! command -v uv >/dev/null 2>&1; then
    say "Installing uv (the lock-file installer)"
    python3 -m pip install --quiet uv || python3 -m pip install --quiet --user uv
    export PATH="$HOME/.local/bin:$PATH"
  fi
  export UV_PYTHON_DOWNLOADS=never
  say "Installing locked Python packages into .venv"
  uv sync --frozen --python python3.11 --quiet
}

ensure_gettext() { command -v msgfmt >/dev/null 2>&1 || apt_install gettext; }

ensure_chromium() { [ -x /usr/bin/chromium ] || apt_install chromium; }

# LibreOffice makes the PDF of reports; poppler-utils renders and inspects it in the tests.
ensure_office() {
  command -v soffice >/dev/null 2>&1 || apt_install libreoffice-writer-nogui
  command -v pdftoppm >/dev/null 2>&1 || apt_install poppler-utils
}

pg_ready() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }

ensure_postgres() {
  # PostgreSQL on 127.0.0.1:5432 for user postgres: start it if installed but stopped,
  # install it if missing; fail loudly if it still cannot be reached.
  command -v pg_isready >/dev/null 2>&1 || apt_install postgresql postgresql-client
  if ! pg_ready; then
    for version in $(ls /etc/postgresql 2>/dev/null); do
      say "Starting PostgreSQL $version"
      pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null \
        || pg_ctlcluster "$version" main start 2>/dev/null || true
    done
    for _ in $(seq 1 30); do pg_ready && break; sleep 1; done
  fi
  if ! pg_ready; then
    echo "ERROR: no PostgreSQL reachable on 127.0.0.1:5432; the PostgreSQL half of the suite cannot run." >&2
    return 1
  fi
  if ! psql -h 127.0.0.1 -U postgres -d postgres -Atc 'select 1' >/dev/null 2>&1; then
    # A freshly installed cluster asks for a password on TCP; allow the local test user.
    local hba
    hba=$(ls /etc/postgresql/*/main/pg_hba.conf | head -n 1)
    say "Allowing trust authentication for postgres on 127.0.0.1 ($hba)"
    sed -i '1i host all postgres 127.0.0.1/32 trust' "$hba"
    for version in $(ls /etc/postgresql); do pg_ctlcluster --skip-systemctl-redirect "$version" main reload 2>/dev/null || pg_ctlcluster "$version" main reload; done
    sleep 1
    psql -h 127.0.0.1 -U postgres -d postgres -Atc 'select 1' >/dev/null || {
      echo "ERROR: PostgreSQL on 127.0.0.1:5432 refuses user postgres." >&2; return 1; }
  fi
}
