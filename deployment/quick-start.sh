#!/usr/bin/env bash
# One command for the highly available Compose stack on one Docker host: checks Docker, writes
# deployment/.env with random secrets if there is none, builds the image, starts Traefik, three
# replicas, PostgreSQL and Redis in order of health, runs the health check, and writes a report.
set -euo pipefail

usage() {
    cat <<'USAGE'
Usage: deployment/quick-start.sh [options]

  --no-build     use the image named in .env (COLLOQUY_IMAGE) instead of building it
  --down         stop the stack (volumes are kept; add -v to docker-compose down to drop them)
  --timeout S    seconds to wait for the stack to become healthy (default 300)
  --dry-run      check the tools and the Compose file, print what would run, start nothing
  -h, --help     this text

Then: the UI and the API at http://localhost (Traefik), each replica on 127.0.0.1:8000-8002,
Traefik's dashboard on http://127.0.0.1:8080/dashboard/.
USAGE
}

here="$(cd "$(dirname "$0")" && pwd)"
build=true
down=false
timeout=300
dry_run=false
while [ $# -gt 0 ]; do
    case "$1" in
        --no-build) build=false; shift ;;
        --down) down=true; shift ;;
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
elif docker compose version >/dev/null 2>&1; then
    compose=(docker compose --compatibility -f docker-compose.ha.yml)
else
    die "needs docker-compose (or the docker compose plugin)"
fi
command -v curl >/dev/null 2>&1 || die "needs curl"

random_secret() { head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 40; }

if "$down"; then
    "$dry_run" && { echo "Would run: ${compose[*]} down"; exit 0; }
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

if "$dry_run"; then
    if "$build"; then echo "Would run: ${compose[*]} build colloquy-1"; fi
    echo "Would run: ${compose[*]} up -d; wait up to ${timeout}s for http://127.0.0.1/health; scripts/health-check.sh"
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
