#!/usr/bin/env bash
# Usage: 02-verify-cluster.sh
#
# Shows the cluster's nodes, or explains why the cluster can't be reached.
# Run it on the control plane (an agent phone has no admin kubeconfig).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR/../.. source=scripts/lib/demo.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/scripts/lib/demo.sh"

expect_no_arguments "$@"

step "Can kubectl reach the cluster?"
require_cluster
ok "The API server answers"

step "The nodes"
# #region slide
kubectl get nodes -o wide
# #endregion slide

not_ready=$(kubectl get nodes --no-headers | awk '$2 != "Ready" { print $1 }')
if [[ -n "$not_ready" ]]; then
  warn "Not Ready: $not_ready — a node needs a minute after it starts; a phone that sleeps stays NotReady: keep its screen on and the Terminal app open (kubectl describe node NAME says more)"
else
  ok "Every node is Ready"
fi
info "Next: ./echo-demo/scripts/03-deploy-echo.sh"
