# Sourced by ./adsync and .ci/run. Makes sure a Node >= 22 and the pinned pnpm are on PATH, installing
# them from the npm registry into a cache folder when the machine's own are missing or too old, and
# finds (or starts) Postgres and Redis for the tests.

ADSYNC_CACHE_DIR="${ADSYNC_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/adsync}"
ADSYNC_MIN_NODE_MAJOR=22
ADSYNC_NODE_MAJOR=24

adsync_say() { printf '\033[1madsync:\033[0m %s\n' "$*" >&2; }

adsync_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

ensure_node() {
  if command -v node >/dev/null 2>&1 && [ "$(adsync_node_major)" -ge "$ADSYNC_MIN_NODE_MAJOR" ]; then
    return 0
  fi
  local os arch package dir
  case "$(uname -s)" in Linux) os=linux ;; Darwin) os=darwin ;; *) os=unsupported ;; esac
  case "$(uname -m)" in x86_64 | amd64) arch=x64 ;; aarch64 | arm64) arch=arm64 ;; *) arch=unsupported ;; esac
  package="node-$os-$arch"
  dir="$ADSYNC_CACHE_DIR/$package-$ADSYNC_NODE_MAJOR"
  if [ ! -x "$dir/node_modules/$package/bin/node" ]; then
    if [ "$os" = unsupported ] || [ "$arch" = unsupported ] || ! command -v npm >/dev/null 2>&1; then
      adsync_say "adsync needs Node.js >= $ADSYNC_MIN_NODE_MAJOR; install it from https://nodejs.org and run this again."
      return 1
    fi
    adsync_say "Node.js >= $ADSYNC_MIN_NODE_MAJOR not found; installing $package@$ADSYNC_NODE_MAJOR into $dir"
    mkdir -p "$dir"
    npm install --prefix "$dir" --no-save --no-audit --no-fund --loglevel=error "$package@$ADSYNC_NODE_MAJOR" >&2 || return 1
  fi
  export PATH="$dir/node_modules/$package/bin:$PATH"
}

ensure_pnpm() {
  local wanted dir
  wanted="$(node -p 'require("./package.json").packageManager.split("@")[1]')"
  if command -v pnpm >/dev/null 2>&1 && [ "$(pnpm --version 2>/dev/null)" = "$wanted" ]; then
    return 0
  fi
  dir="$ADSYNC_CACHE_DIR/pnpm-$wanted"
  if [ ! -x "$dir/node_modules/.bin/pnpm" ]; then
    adsync_say "installing pnpm $wanted into $dir"
    mkdir -p "$dir"
    npm install --prefix "$dir" --no-save --no-audit --no-fund --loglevel=error "pnpm@$wanted" >&2 || return 1
  fi
  export PATH="$dir/node_modules/.bin:$PATH"
}

adsync_port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

adsync_wait_for_port() {
  local tries=0
  until adsync_port_open "$1" "$2"; do
    tries=$((tries + 1))
    [ "$tries" -ge 60 ] && return 1
    sleep 0.5
  done
}

# Exports DATABASE_URL and REDIS_URL for the tests: kept when already set; otherwise the local
# services on their default ports, started first when they are installed but stopped. When neither is
# available, both stay unset and the tests start throwaway containers (testcontainers, needs Docker).
ensure_test_services() {
  if [ -z "${DATABASE_URL:-}" ]; then
    if ! adsync_port_open 127.0.0.1 5432 && command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
      adsync_say "starting the local PostgreSQL"
      pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start >&2 || true
      adsync_wait_for_port 127.0.0.1 5432 || true
    fi
    if adsync_port_open 127.0.0.1 5432; then
      export DATABASE_URL="postgres://postgres@127.0.0.1:5432/postgres"
    else
      adsync_say "no PostgreSQL on 127.0.0.1:5432 and DATABASE_URL unset: tests will use testcontainers (Docker)"
    fi
  fi
  if [ -z "${REDIS_URL:-}" ]; then
    if ! adsync_port_open 127.0.0.1 6379 && command -v redis-server >/dev/null 2>&1; then
      adsync_say "starting a local redis-server"
      redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >&2 || true
      adsync_wait_for_port 127.0.0.1 6379 || true
    fi
    if adsync_port_open 127.0.0.1 6379; then
      export REDIS_URL="redis://127.0.0.1:6379"
    else
      adsync_say "no Redis on 127.0.0.1:6379 and REDIS_URL unset: tests will use testcontainers (Docker)"
    fi
  fi
}

# Debian's chromium for the end-to-end tests (never a browser downloaded by a test tool). Installed only
# where we may (root with apt-get, as in CI); elsewhere the browser tests say they were skipped.
ensure_chromium() {
  if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then
    return 0
  fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    adsync_say "installing Debian's chromium for the browser tests"
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2 || true
  else
    adsync_say "no chromium: the browser tests will be skipped (install Debian's chromium to run them)"
  fi
}
