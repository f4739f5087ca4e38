#!/usr/bin/env bash
# Deploys Colloquy to Kubernetes from deployment/kubernetes/all-in-one.yml: checks the tools and the
# cluster, creates the namespace and the secrets (random ones unless given), applies the manifests,
# waits for the rollout, runs the health check through a port-forward, and writes a report. With
# --with-sentinel also kubernetes/redis-sentinel.yml: Redis with Sentinel, which the replicas then use.
set -euo pipefail

usage() {
    cat <<'USAGE'
Usage: deployment/scripts/deploy-ha.sh [options]

  --image IMAGE        the Colloquy image to run (default colloquy:latest)
  --namespace NAME     namespace (default colloquy; the manifests use colloquy)
  --context NAME       kubectl context (default: the current one)
  --timeout DURATION   how long to wait for the rollout (default 10m)
  --report FILE        report file (default deployment/reports/deploy-<time>.txt)
  --skip-health-check  do not port-forward and run health-check.sh
  --with-sentinel      also apply kubernetes/redis-sentinel.yml (three Redis pods with sentinels)
                       and point the replicas at it (a rolling restart when they ran without it)
  --dry-run            validate against the cluster (kubectl --dry-run=server), change nothing
  -h, --help           this text

Secrets: SPRING_DATASOURCE_PASSWORD and COLLOQUY_CURSORS_SECRET from the environment, or random
ones on the first deploy; an existing colloquy-secrets Secret is kept as it is.
USAGE
}

here="$(cd "$(dirname "$0")" && pwd)"
manifests="$here/../kubernetes/all-in-one.yml"
sentinel_manifests="$here/../kubernetes/redis-sentinel.yml"
sentinel=false
image="colloquy:latest"
namespace="colloquy"
context=""
timeout="10m"
report=""
health=true
dry_run=false

while [ $# -gt 0 ]; do
    case "$1" in
        --image) image="${2:?--image needs a value}"; shift 2 ;;
        --namespace) namespace="${2:?--namespace needs a value}"; shift 2 ;;
        --context) context="${2:?--context needs a value}"; shift 2 ;;
        --timeout) timeout="${2:?--timeout needs a value}"; shift 2 ;;
        --report) report="${2:?--report needs a file}"; shift 2 ;;
        --skip-health-check) health=false; shift ;;
        --with-sentinel) sentinel=true; shift ;;
        --dry-run) dry_run=true; shift ;;
        -h | --help) usage; exit 0 ;;
        *) echo "deploy-ha.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
report="${report:-$here/../reports/deploy-$(date -u +%Y%m%dT%H%M%SZ).txt}"

die() { echo "deploy-ha.sh: $*" >&2; exit 1; }
step() { echo "==> $*"; }

kubectl_() {
    if [ -n "$context" ]; then kubectl --context "$context" "$@"; else kubectl "$@"; fi
}

random_secret() { head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 40; }

step "Checking tools and cluster"
for tool in kubectl curl; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed"
done
[ -f "$manifests" ] || die "no manifests at $manifests"
if "$sentinel"; then [ -f "$sentinel_manifests" ] || die "no manifests at $sentinel_manifests"; fi
kubectl_ version --client >/dev/null || die "kubectl does not work"
kubectl_ cluster-info >/dev/null 2>&1 || die "no cluster reachable (kubectl cluster-info failed; check --context)"
kubectl_ auth can-i create deployments -n "$namespace" >/dev/null 2>&1 || die "not allowed to create deployments in $namespace"
[ "$namespace" = colloquy ] || die "the manifests name the namespace colloquy; edit them to use $namespace"

# the manifests with the chosen image, and without the placeholder Secret (made below)
rendered="$(mktemp)"
trap 'rm -f "$rendered"' EXIT
sed "s|image: colloquy:latest|image: $image|" "$manifests" >"$rendered"
if "$sentinel"; then
    # first, so that its ConfigMap is there before the replicas start
    { cat "$sentinel_manifests"; echo "---"; cat "$rendered"; } >"$rendered.all"
    mv "$rendered.all" "$rendered"
fi

if "$dry_run"; then
    step "Validating against the cluster (nothing is changed)"
    kubectl_ apply --dry-run=server -f "$rendered"
    echo "Dry run: the manifests are valid for this cluster; image $image"
    exit 0
fi

step "Namespace and secrets"
kubectl_ apply -f - <<NAMESPACE
apiVersion: v1
kind: Namespace
metadata:
  name: $namespace
NAMESPACE
if kubectl_ -n "$namespace" get secret colloquy-secrets >/dev/null 2>&1; then
    echo "Secret colloquy-secrets exists: kept"
else
    password="${SPRING_DATASOURCE_PASSWORD:-$(random_secret)}"
    kubectl_ -n "$namespace" create secret generic colloquy-secrets \
        --from-literal=SPRING_DATASOURCE_PASSWORD="$password" \
        --from-literal=POSTGRES_PASSWORD="$password" \
        --from-literal=COLLOQUY_CURSORS_SECRET="${COLLOQUY_CURSORS_SECRET:-$(random_secret)}"
fi

restart=false
if "$sentinel" && kubectl_ -n "$namespace" get deployment/colloquy >/dev/null 2>&1 \
    && ! kubectl_ -n "$namespace" get configmap/colloquy-redis >/dev/null 2>&1; then
    # running replicas read the Sentinel settings only when they start
    restart=true
fi

step "Applying the manifests (image $image)"
# everything but the placeholder Secret, which would overwrite the real one
awk 'BEGIN { RS = "\n---\n"; ORS = "\n---\n" } !/kind: Secret/' "$rendered" | kubectl_ apply -f -

step "Waiting for PostgreSQL, Redis and the rollout (up to $timeout)"
kubectl_ -n "$namespace" rollout status statefulset/postgres --timeout="$timeout"
kubectl_ -n "$namespace" rollout status statefulset/redis --timeout="$timeout"
if "$sentinel"; then
    kubectl_ -n "$namespace" rollout status statefulset/redis-sentinel --timeout="$timeout"
fi
if "$restart"; then
    echo "The replicas ran without Sentinel: restarting them one at a time"
    kubectl_ -n "$namespace" rollout restart deployment/colloquy
fi
kubectl_ -n "$namespace" rollout status deployment/colloquy --timeout="$timeout"

health_result="skipped"
if "$health"; then
    step "Health check through a port-forward"
    port=18000
    kubectl_ -n "$namespace" port-forward service/colloquy "$port:8000" >/dev/null 2>&1 &
    forward=$!
    trap 'kill "$forward" 2>/dev/null || true; rm -f "$rendered"' EXIT
    for _ in $(seq 1 30); do curl -s -o /dev/null "http://127.0.0.1:$port/health" && break; sleep 1; done
    # the port-forward reaches one pod at a time: Kubernetes counts the ready replicas, and the
    # health check asks that one endpoint be ready
    ready=$(kubectl_ -n "$namespace" get deployment colloquy -o jsonpath='{.status.readyReplicas}')
    if [ "${ready:-0}" -ge 2 ] \
        && "$here/health-check.sh" --balancer "http://127.0.0.1:$port" --replica "http://127.0.0.1:$port" --min-ready 1; then
        health_result="healthy"
    else
        health_result="UNHEALTHY"
        echo "deploy-ha.sh: ${ready:-0} replicas ready" >&2
    fi
fi

step "Report: $report"
mkdir -p "$(dirname "$report")"
{
    echo "Colloquy deployment, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "context:   $(kubectl_ config current-context 2>/dev/null || echo unknown)"
    echo "namespace: $namespace"
    echo "image:     $image"
    echo "health:    $health_result"
    echo
    kubectl_ -n "$namespace" get deployment,statefulset,hpa,pdb,service,pvc -o wide
    echo
    kubectl_ -n "$namespace" get pods -o wide
} >"$report"
cat "$report"
[ "$health_result" != "UNHEALTHY" ]
