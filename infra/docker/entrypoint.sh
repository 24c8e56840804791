#!/bin/sh
# The image's entry point: starts the app named by APP, or runs the one-shot task named by the first argument.
# `exec` leaves node as PID 1, so the SIGTERM from Docker or Kubernetes reaches the app's graceful shutdown.
set -eu
cd "$(dirname "$0")/../.."

# Set by the Dockerfile; `pnpm check:manifests` keeps it equal to the deployable apps under apps/.
ADSYNC_APPS="${ADSYNC_APPS:-gateway worker-refresh worker-spend worker-capi worker-klaviyo}"

usage() {
  cat >&2 <<EOF
Set APP to the app this container runs, one of: ${ADSYNC_APPS}
  docker run -e APP=gateway ... adsync
or give a one-shot task (the same as the repository's pnpm scripts):
  db:migrate         apply pending migrations to DATABASE_URL
  operator:create    create or update an operator, e.g. operator:create --email you@example.com --role admin
  tenant:create      create a tenant and print its API key
  spend:backfill     enqueue a spend backfill for an ad account
  reseal             re-seal stored secrets with the first ENCRYPTION_KEYS key (--check: count what is left)
Every setting comes from the environment: see .env.example.
EOF
}

is_app() {
  case "$1" in
    "" | *[!a-z-]*) return 1 ;;
  esac
  case " $ADSYNC_APPS " in
    *" $1 "*) return 0 ;;
  esac
  return 1
}

# The port of the app's /healthz, with the apps' own defaults (pnpm check:manifests compares them).
health_port() {
  case "$1" in
    gateway) echo "${GATEWAY_PORT:-3000}" ;;
    worker-refresh) echo "${WORKER_HEALTH_PORT:-3101}" ;;
    worker-spend) echo "${WORKER_HEALTH_PORT:-3102}" ;;
    worker-capi) echo "${WORKER_HEALTH_PORT:-3103}" ;;
    worker-klaviyo) echo "${WORKER_HEALTH_PORT:-3104}" ;;
    *) return 1 ;;
  esac
}

task="${1:-}"
case "$task" in
  "") ;;
  healthcheck)
    # For Docker's HEALTHCHECK: the image has no curl, so Node asks.
    is_app "${APP:-}" || exit 1
    port="$(health_port "$APP")" || exit 1
    exec node -e 'fetch(process.argv[1], { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' \
      "http://127.0.0.1:${port}/healthz"
    ;;
  db:migrate)
    shift
    exec node packages/db/src/cli/migrate.ts "$@"
    ;;
  operator:create)
    shift
    exec node packages/db/src/cli/create-operator.ts "$@"
    ;;
  tenant:create)
    shift
    exec node packages/db/src/cli/create-tenant.ts "$@"
    ;;
  spend:backfill)
    shift
    exec node packages/spend/src/cli/backfill.ts "$@"
    ;;
  reseal)
    shift
    exec node packages/connections/src/cli/reseal.ts "$@"
    ;;
  -h | --help | help)
    usage
    exit 0
    ;;
  *)
    # The app comes from APP only: Docker's HEALTHCHECK runs apart from the container's arguments.
    echo "adsync: \"$task\" is not a task (choose the app with APP, not an argument)." >&2
    usage
    exit 64
    ;;
esac

if [ -z "${APP:-}" ]; then
  echo "adsync: APP is not set." >&2
  usage
  exit 64
fi
if ! is_app "$APP"; then
  echo "adsync: APP=\"$APP\" is not one of: $ADSYNC_APPS" >&2
  exit 64
fi
exec node "apps/$APP/dist/main.js" "$@"
