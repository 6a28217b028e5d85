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

read_number_argument N 10 1 1000 "$@"
new_tally

require_echo_server

step "$N requests: which node answered?"
# #region slide
for _ in $(seq "$N"); do
  curl -sf --max-time 5 "$ECHO_URL/?echo_env_body=NODE_NAME" || printf '(no answer)'
  echo
done | tr -d '"' | sort | uniq -c | tee "$TALLY"
# #endregion slide

read_tally "$N"
if ((ANSWERS > 1)); then
  ok "$ANSWERS phones answered: one Service, pods on several nodes"
else
  info "One node answered everything. With a second phone in the cluster (08-join-cluster.sh),"
  info "scale out (./echo-demo/scripts/05-scale-echo.sh 3) and run this again."
fi
