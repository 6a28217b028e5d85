#!/usr/bin/env bash
# Usage: 04c-curl-nodename.sh [N]
#
# Sends N requests (default 10) to the echo server and counts the answers per node:
# the Service spreads them over every ready pod — and over the phones they run on.
# On a phone of the cluster the address is http://localhost:8081; from the laptop, name a
# phone:  ECHO_HOST=phone-a ./echo-demo/scripts/04c-curl-nodename.sh
set -euo pipefail
# shellcheck source-path=SCRIPTDIR/../.. source=scripts/lib/demo.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/scripts/lib/demo.sh"

read_request_count "$@"

TALLY=$(mktemp)
trap 'rm -f "$TALLY"' EXIT

require_echo_server

step "$N requests: which node answered?"
# #region slide
for _ in $(seq "$N"); do
  curl -sf --max-time 5 "$ECHO_URL/?echo_env_body=NODE_NAME" || printf '(no answer)'
  echo
done | tr -d '"' | sort | uniq -c | tee "$TALLY"
# #endregion slide

if grep -q '(no answer)' "$TALLY"; then
  warn "Some requests got no answer: a pod may be starting or stopping (kubectl get pods -o wide)."
fi
count=$(grep -vc '(no answer)' "$TALLY" || true)
((count > 0)) || die "None of the $N requests got an answer." "Look at the pods: kubectl get pods -l app.kubernetes.io/name=echo -o wide"
if ((count > 1)); then
  ok "$count phones answered: one Service, pods on several nodes"
else
  info "One node answered everything. With a second phone in the cluster (08-join-cluster.sh),"
  info "scale out (./echo-demo/scripts/05-scale-echo.sh 3) and run this again."
fi
