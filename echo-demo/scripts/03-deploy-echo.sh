#!/usr/bin/env bash
# Usage: 03-deploy-echo.sh
#
# Deploys the echo server (echo-demo/manifests/echo.yaml: Deployment echo with 2 replicas and
# Service echo on port 8081), waits until it has rolled out and shows where the pods run.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR/../.. source=scripts/lib/demo.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/scripts/lib/demo.sh"

expect_no_arguments "$@"

MANIFEST="$REPO_ROOT/echo-demo/manifests/echo.yaml"

rollout_failed() {
  kubectl get pods -l app.kubernetes.io/name=echo -o wide >&2 || true
  die "The echo server did not become ready in time." \
    "The first start pulls the image over the phone's network. Why a pod waits: kubectl describe pods -l app.kubernetes.io/name=echo"
}

step "Can kubectl reach the cluster?"
require_cluster
ok "The API server answers"

step "Deploy the echo server"
# #region slide
kubectl apply -f "$MANIFEST"
kubectl rollout status deployment/echo --timeout=180s || rollout_failed
kubectl get pods -l app.kubernetes.io/name=echo -o wide
# #endregion slide

step "The Service"
kubectl get service echo
if [[ -z "$(kubectl get service echo -o jsonpath='{.status.loadBalancer.ingress[*].ip}')" ]]; then
  warn "EXTERNAL-IP is still <pending>: k3s's ServiceLB opens port 8081 on the nodes in a moment."
  warn "If it stays <pending>, something else holds port 8081: kubectl get pods -n kube-system | grep svclb"
fi
info "Try it: ./echo-demo/scripts/04-curl.sh (http://localhost:8081 on a phone of the cluster)"
