#!/usr/bin/env bash
# Usage: 04b-curl-hostname.sh [N]
#
# Sends N requests (default 10) to the echo server and counts the answers per pod:
# the Service spreads them over every ready pod.
# On a phone of the cluster the address is http://localhost:8081; from the laptop, name a
# phone:  ECHO_HOST=phone-a ./echo-demo/scripts/04b-curl-hostname.sh
set -euo pipefail
# shellcheck source-path=SCRIPTDIR/../.. source=scripts/lib/demo.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/scripts/lib/demo.sh"

read_number_argument N 10 1 1000 "$@"
new_tally

require_echo_server

step "$N requests: which pod answered?"
# #region slide
for _ in $(seq "$N"); do
  curl -sf --max-time 5 "$ECHO_URL/?echo_env_body=HOSTNAME" || printf '(no answer)'
  echo
done | tr -d '"' | sort | uniq -c | tee "$TALLY"
# #endregion slide

read_tally "$N"
if ((ANSWERS > 1)); then
  ok "$ANSWERS different pods answered: the Service balances the load"
else
  info "One pod answered everything. More pods: ./echo-demo/scripts/05-scale-echo.sh 3, then run this again."
fi
