#!/usr/bin/env bash
# Usage: 05-scale-echo.sh [REPLICAS]
#
# Scales the echo server to REPLICAS pods (default 3, at most 10 — phones are small),
# waits until they are ready and shows on which nodes they landed.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR/../.. source=scripts/lib/demo.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/scripts/lib/demo.sh"

read_number_argument REPLICAS 3 0 10 "$@"

rollout_failed() {
  kubectl get pods -l app.kubernetes.io/name=echo -o wide >&2 || true
  die_explaining_pods app.kubernetes.io/name=echo "Not all $REPLICAS pods became ready in time." "./echo-demo/scripts/05-scale-echo.sh $REPLICAS"
}

step "Can kubectl reach the cluster?"
require_cluster
kubectl get deployment echo >/dev/null 2>&1 || die "There is no echo deployment to scale." "Deploy it first: ./echo-demo/scripts/03-deploy-echo.sh"
ok "Deployment echo is there"

step "Scale to $REPLICAS"
# #region slide
kubectl scale deployment/echo --replicas="$REPLICAS"
kubectl rollout status deployment/echo --timeout=180s || rollout_failed
kubectl get pods -l app.kubernetes.io/name=echo -o wide
# #endregion slide

step "Pods per node"
kubectl get pods -l app.kubernetes.io/name=echo -o jsonpath='{range .items[*]}{.spec.nodeName}{"\n"}{end}' | sort | uniq -c
info "Which pod answers? ./echo-demo/scripts/04c-curl-nodename.sh"
