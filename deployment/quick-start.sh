#!/usr/bin/env bash
# One command for the highly available Compose stack on one Docker host: checks Docker, writes
# deployment/.env with random secrets if there is none, builds the image, starts Traefik, three
# replicas, PostgreSQL and Redis in order of health, runs the health check, and writes a report.
# With --with-monitoring, then the monitoring and logging stack (docker-compose.monitoring.yml, Compose
# project colloquy-monitoring) on the same network: Prometheus, Alertmanager, Grafana, the ELK stack
# and the exporters. With --with-sentinel, Redis with a replica and three sentinels
# (docker-compose.sentinel.yml on top of the HA stack).
set -euo pipefail

usage() {
    cat <<'USAGE'
Usage: deployment/quick-start.sh [options]

  --no-build     use the image named in .env (COLLOQUY_IMAGE) instead of building it
  --with-monitoring  also start (or, with --down, stop) the monitoring and logging stack
  --with-sentinel    Redis with Sentinel: a replica and three sentinels beside the Redis
                     (docker-compose.sentinel.yml); give it to --down as well
  --down         stop the stack (volumes are kept; add -v to docker-compose down to drop them)
  --timeout S    seconds to wait for the stack to become healthy (default 300)
  --dry-run      check the tools and the Compose file, print what would run, start nothing
  -h, --help     this text

Then: the UI and the API at http://localhost (Traefik), each replica on 127.0.0.1:8000-8002,
Traefik's dashboard on http://127.0.0.1:8080/dashboard/. With --with-monitoring also Prometheus
on :9090, Grafana on :3001 (admin, password in monitoring/grafana/admin-password), Alertmanager on
:9093, Kibana on :5601.
USAGE
}

here="$(cd "$(dirname "$0")" && pwd)"
build=true
down=false
timeout=300
dry_run=false
monitoring=false
sentinel=false
while [ $# -gt 0 ]; do
    case "$1" in
        --no-build) build=false; shift ;;
        --down) down=true; shift ;;
        --with-monitoring) monitoring=true; shift ;;
        --with-sentinel) sentinel=true; shift ;;
        --timeout) timeout="${2:?--timeout needs seconds}"; shift 2 ;;
        --dry-run) dry_run=true; shift ;;
        -h | --help) usage; exit 0 ;;
        *) echo "quick-start.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
case "$timeout" in *[!0-9]* | "") echo "quick-start.sh: --timeout takes seconds" >&2; exit 2 ;; esac

die() { echo "quick-start.sh: $*" >&2; exit 1; }
step() { echo "==> $*"; }
cd "$here"

if command -v docker-compose >/dev/null 2>&1; then
    compose=(docker-compose --compatibility -f docker-compose.ha.yml)
    observe=(docker-compose -p colloquy-monitoring -f ../docker-compose.monitoring.yml)
elif docker compose version >/dev/null 2>&1; then
    compose=(docker compose --compatibility -f docker-compose.ha.yml)
    observe=(docker compose -p colloquy-monitoring -f ../docker-compose.monitoring.yml)
else
    die "needs docker-compose (or the docker compose plugin)"
fi
if "$sentinel"; then compose+=(-f docker-compose.sentinel.yml); fi
command -v curl >/dev/null 2>&1 || die "needs curl"

random_secret() { head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 40; }

if "$down"; then
    if "$dry_run"; then
        if "$monitoring"; then echo "Would run: ${observe[*]} down"; fi
        echo "Would run: ${compose[*]} down"
        exit 0
    fi
    # the monitoring stack first: it joins the HA stack's network, which goes down with that stack
    if "$monitoring"; then "${observe[@]}" down; fi
    "${compose[@]}" down
    exit 0
fi

if [ ! -f .env ]; then
    if "$dry_run"; then
        echo "Would write deployment/.env with random POSTGRES_PASSWORD and COLLOQUY_CURSORS_SECRET"
    else
        step "Writing deployment/.env with random secrets (keep it; it is not in git)"
        sed -e "s|^POSTGRES_PASSWORD=.*|POSTGRES_PASSWORD=$(random_secret)|" \
            -e "s|^COLLOQUY_CURSORS_SECRET=.*|COLLOQUY_CURSORS_SECRET=$(random_secret)|" .env.example >.env
        chmod 600 .env
    fi
fi

step "Checking the Compose file"
if [ -f .env ]; then
    "${compose[@]}" --env-file .env config -q
else
    POSTGRES_PASSWORD=dry-run COLLOQUY_CURSORS_SECRET=dry-run-secret-0123456789abcdef "${compose[@]}" config -q
fi

if "$monitoring"; then
    step "Checking the monitoring Compose file"
    # the secrets it mounts may not be written yet: a dry run checks it with stand-ins
    ALERTMANAGER_SECRETS_DIR=/dev/null GRAFANA_ADMIN_PASSWORD_FILE=/dev/null POSTGRES_PASSWORD_FILE=/dev/null \
        "${observe[@]}" config -q
fi

if "$dry_run"; then
    if "$build"; then echo "Would run: ${compose[*]} build colloquy-1"; fi
    echo "Would run: ${compose[*]} up -d; wait up to ${timeout}s for http://127.0.0.1/health; scripts/health-check.sh"
    if "$monitoring"; then
        echo "Would write the monitoring secrets that are missing: monitoring/grafana/admin-password (random), secrets/postgres-password (from deployment/.env)"
        echo "Would run: ${observe[*]} up -d; wait up to ${timeout}s for http://127.0.0.1:9090/-/ready"
    fi
    exit 0
fi
docker info >/dev/null 2>&1 || die "Docker is not running (docker info failed)"

if "$build"; then
    step "Building the image"
    "${compose[@]}" build colloquy-1
fi
step "Starting PostgreSQL and Redis, then the replicas, then Traefik (each waits for the previous to be healthy)"
"${compose[@]}" up -d

step "Waiting up to ${timeout}s for the stack"
waited=0
until curl -fs -o /dev/null http://127.0.0.1/health; do
    [ "$waited" -lt "$timeout" ] || { "${compose[@]}" ps; die "not healthy after ${timeout}s; see: ${compose[*]} logs"; }
    sleep 5
    waited=$((waited + 5))
done

report="$here/reports/quick-start-$(date -u +%Y%m%dT%H%M%SZ).txt"
step "Health check (report: $report)"
"${compose[@]}" ps
"$here/scripts/health-check.sh" --balancer http://127.0.0.1 --report "$report"
echo "Colloquy is up: http://localhost"

if "$monitoring"; then
    step "Monitoring and logging"
    root="$(cd "$here/.." && pwd)"
    mkdir -p "$root/monitoring/alertmanager/secrets" "$root/secrets"
    if [ ! -f "$root/monitoring/grafana/admin-password" ]; then
        (umask 077 && random_secret >"$root/monitoring/grafana/admin-password")
        echo "Wrote a random Grafana admin password to monitoring/grafana/admin-password"
    fi
    if [ ! -f "$root/secrets/postgres-password" ]; then
        (umask 077 && sed -n 's/^POSTGRES_PASSWORD=//p' .env | tr -d '\n' >"$root/secrets/postgres-password")
    fi
    if [ -z "$(ls -A "$root/monitoring/alertmanager/secrets")" ]; then
        echo "Alertmanager will not notify anyone until its secrets are written: see monitoring/README.md" >&2
    fi
    "${observe[@]}" up -d
    waited=0
    until curl -fs -o /dev/null http://127.0.0.1:9090/-/ready; do
        [ "$waited" -lt "$timeout" ] || { "${observe[@]}" ps; die "Prometheus not ready after ${timeout}s; see: ${observe[*]} logs"; }
        sleep 5
        waited=$((waited + 5))
    done
    "${observe[@]}" ps
    echo "Monitoring is up: Prometheus http://localhost:9090, Grafana http://localhost:3001, Kibana http://localhost:5601"
fi
