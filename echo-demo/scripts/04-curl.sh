#!/usr/bin/env bash
# Usage: 04-curl.sh
#
# Sends one request to the echo server and shows what it echoed and which pod, on which node,
# answered. On a phone of the cluster that is http://localhost:8081; from the laptop, name a
# phone:  ECHO_HOST=phone-a ./echo-demo/scripts/04-curl.sh
set -euo pipefail
# shellcheck source-path=SCRIPTDIR/../.. source=scripts/lib/demo.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/scripts/lib/demo.sh"

expect_no_arguments "$@"

require_cmd jq "Install it: sudo apt install -y jq (on a Mac: brew install jq)"
require_echo_server

step "Ask it"
# A request that fails (a pod on a phone that just fell asleep, an HTTP error) says so, not just stops.
trap 'die "No echo from $ECHO_URL this time." "Ask again: another pod may answer (which pods are ready: kubectl get pods -o wide)"' ERR
# #region slide
curl -sf --max-time 5 "$ECHO_URL/?hello=phone" |
  jq '{pod: .environment.POD_NAME, node: .environment.NODE_NAME, http, query: .request.query}'
# #endregion slide
info "Ask again and another pod may answer: the Service spreads requests over all ready pods."
info "Many requests at once: ./echo-demo/scripts/04b-curl-hostname.sh and 04c-curl-nodename.sh"
