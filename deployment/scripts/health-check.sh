#!/usr/bin/env bash
# Checks a running Colloquy installation from the outside: each replica, the load balancer, the API,
# the database (through the service's readiness), and a short latency probe. Prints a readable report
# and exits 0 when everything is healthy, 1 when something is not, 2 on bad usage.
set -euo pipefail

usage() {
    cat <<'USAGE'
Usage: deployment/scripts/health-check.sh [options]

  --balancer URL      the load balancer (default http://127.0.0.1)
  --replica URL       a replica to check directly; repeat for each
                      (default http://127.0.0.1:8000, :8001, :8002)
  --min-ready N       replicas that must be ready (default 2: one can be lost)
  --requests N        requests in the latency probe (default 20)
  --max-p95-ms N      fail when the probe's 95th percentile is above N ms (default 1000)
  --report FILE       also write the report to FILE
  --dry-run           print what would be checked, check nothing
  -h, --help          this text

Exit codes: 0 healthy, 1 a check failed, 2 bad usage or a missing tool.
USAGE
}

balancer="http://127.0.0.1"
replicas=()
requests=20
min_ready=2
max_p95=1000
report=""
dry_run=false

while [ $# -gt 0 ]; do
    case "$1" in
        --balancer) balancer="${2:?--balancer needs a URL}"; shift 2 ;;
        --replica) replicas+=("${2:?--replica needs a URL}"); shift 2 ;;
        --requests) requests="${2:?--requests needs a number}"; shift 2 ;;
        --min-ready) min_ready="${2:?--min-ready needs a number}"; shift 2 ;;
        --max-p95-ms) max_p95="${2:?--max-p95-ms needs a number}"; shift 2 ;;
        --report) report="${2:?--report needs a file}"; shift 2 ;;
        --dry-run) dry_run=true; shift ;;
        -h | --help) usage; exit 0 ;;
        *) echo "health-check.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
if [ "${#replicas[@]}" -eq 0 ]; then
    replicas=(http://127.0.0.1:8000 http://127.0.0.1:8001 http://127.0.0.1:8002)
fi
case "$requests$max_p95" in
    *[!0-9]*) echo "health-check.sh: --requests and --max-p95-ms take whole numbers" >&2; exit 2 ;;
esac
command -v curl >/dev/null 2>&1 || { echo "health-check.sh needs curl" >&2; exit 2; }

if "$dry_run"; then
    echo "Would check: replicas ${replicas[*]}; balancer $balancer (health, UI, API, database);"
    echo "a latency probe of $requests requests (p95 at most $max_p95 ms)${report:+; report to $report}"
    exit 0
fi

lines=()
failed=0
say() { lines+=("$1"); echo "$1"; }
pass() { say "ok    $1"; }
fail() { say "FAIL  $1"; failed=$((failed + 1)); }

# status code and body of a GET, without failing the script
fetch() { # url -> sets code and body
    local out
    out=$(curl -s -m 10 -w '\n%{http_code}' "$1" 2>/dev/null) || out=$'\n000'
    code="${out##*$'\n'}"
    body="${out%$'\n'*}"
}

say "Colloquy health check, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
up=0
for replica in "${replicas[@]}"; do
    fetch "$replica/actuator/health/readiness"
    if [ "$code" = 200 ]; then
        pass "replica $replica ready"
        up=$((up + 1))
    else
        fail "replica $replica not ready (HTTP $code) $body"
    fi
done
if [ "$up" -lt "$min_ready" ]; then
    fail "fewer than $min_ready of ${#replicas[@]} replicas ready: no headroom for losing one"
fi

fetch "$balancer/health"
if [ "$code" = 200 ]; then pass "load balancer $balancer answers, database reachable"; else fail "load balancer $balancer/health: HTTP $code $body"; fi
fetch "$balancer/"
if [ "$code" = 200 ]; then pass "web UI served"; else fail "web UI: HTTP $code"; fi
fetch "$balancer/api/me"
if [ "$code" = 401 ]; then pass "API answers (401 without a token, as it should)"; else fail "API /api/me without a token: HTTP $code"; fi

times=()
errors=0
for _ in $(seq 1 "$requests"); do
    t=$(curl -s -o /dev/null -m 10 -w '%{http_code} %{time_total}' "$balancer/health" 2>/dev/null) || t="000 10"
    [ "${t%% *}" = 200 ] || errors=$((errors + 1))
    times+=("$(awk -v s="${t##* }" 'BEGIN { printf "%d", s * 1000 }')")
done
p50=$(printf '%s\n' "${times[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) * 0.50)] }')
p95=$(printf '%s\n' "${times[@]}" | sort -n | awk '{ a[NR] = $1 } END { i = int(NR * 0.95 + 0.5); if (i < 1) i = 1; print a[i] }')
if [ "$errors" -eq 0 ] && [ "$p95" -le "$max_p95" ]; then
    pass "latency probe: $requests requests, p50 ${p50} ms, p95 ${p95} ms"
else
    fail "latency probe: $errors of $requests failed, p50 ${p50} ms, p95 ${p95} ms (limit $max_p95 ms)"
fi

if [ "$failed" -eq 0 ]; then say "HEALTHY"; else say "UNHEALTHY: $failed check(s) failed"; fi
if [ -n "$report" ]; then
    mkdir -p "$(dirname "$report")"
    printf '%s\n' "${lines[@]}" >"$report"
fi
[ "$failed" -eq 0 ]
