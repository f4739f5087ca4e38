#!/usr/bin/env bash
# Loads Colloquy's ILM policy and index templates into Elasticsearch; safe to run again (PUT replaces).
set -euo pipefail
es="${ELASTICSEARCH_URL:-http://elasticsearch:9200}"
here="$(dirname "$0")"
for _ in $(seq 1 60); do
    curl -fs "$es/_cluster/health?wait_for_status=yellow&timeout=5s" >/dev/null && break
    sleep 5
done
curl -fsS -X PUT "$es/_ilm/policy/colloquy-logs" -H 'Content-Type: application/json' \
    --data-binary "@$here/ilm-policy.json"
echo
for template in "$here"/index-templates/*.json; do
    name="$(basename "$template" .json)"
    curl -fsS -X PUT "$es/_index_template/$name" -H 'Content-Type: application/json' --data-binary "@$template"
    echo
done
echo "ILM policy and index templates loaded"
