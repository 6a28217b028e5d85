#!/usr/bin/env bash
# Usage: 06-undeploy-echo.sh
#
# Deletes the echo server (Deployment and Service) and waits until its pods are gone.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR/../.. source=scripts/lib/demo.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/scripts/lib/demo.sh"

expect_no_arguments "$@"

MANIFEST="$REPO_ROOT/echo-demo/manifests/echo.yaml"

no_echo_pods() {
  local pods
  pods=$(kubectl get pods -l app.kubernetes.io/name=echo -o name) || return 1
  [[ -z "$pods" ]]
}

step "Can kubectl reach the cluster?"
require_cluster
ok "The API server answers"

step "Delete the echo server"
# #region slide
kubectl delete -f "$MANIFEST" --ignore-not-found
# #endregion slide
wait_until 120 "the echo pods to be gone" no_echo_pods
ok "The echo server is gone; the cluster keeps running"
