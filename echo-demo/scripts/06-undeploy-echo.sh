#!/usr/bin/env bash
# Usage: 06-undeploy-echo.sh
#
# Deletes the echo server (Deployment and Service) and waits until its pods are gone.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR/../.. source=scripts/lib/demo.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/scripts/lib/demo.sh"

expect_no_arguments "$@"

MANIFEST="$REPO_ROOT/echo-demo/manifests/echo.yaml"

# The nodes of the echo pods that are left (a pod not yet on a node goes at once).
echo_pod_nodes() {
  kubectl get pods -l app.kubernetes.io/name=echo -o jsonpath='{range .items[*]}{.spec.nodeName}{"\n"}{end}'
}

# Done when the only pods left are on NotReady nodes (set in NOT_READY): a phone asleep can't confirm
# that its pods stopped, so they stay Terminating until it is back (waiting for them would never end).
no_echo_pods() {
  local nodes node
  NOT_READY=$(kubectl get nodes --no-headers | awk '$2 != "Ready" { printf "%s ", $1 }') || return 1
  nodes=$(echo_pod_nodes) || return 1
  while read -r node; do
    [[ -z $node || " $NOT_READY " == *" $node "* ]] || return 1
  done <<<"$nodes"
}

step "Can kubectl reach the cluster?"
require_cluster
ok "The API server answers"

step "Delete the echo server"
# #region slide
kubectl delete -f "$MANIFEST" --ignore-not-found
# #endregion slide
NOT_READY=''
WAIT_HINT="Which pods are left, and why: kubectl get pods -l app.kubernetes.io/name=echo -o wide" \
  wait_until 120 "the echo pods to be gone" no_echo_pods
left=$(echo_pod_nodes | sort | uniq -c | awk '{ printf "%s%s on %s", sep, $1, $2; sep = ", " }')
if [[ -n "$left" ]]; then
  warn "Echo pods stay Terminating ($left): ${NOT_READY% } is NotReady (asleep?) and can't confirm they stopped."
  warn "They go when the phone is back; to remove them now: kubectl delete pods -l app.kubernetes.io/name=echo --force --grace-period=0"
fi
ok "The echo server is gone; the cluster keeps running"
