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
  die_explaining_pods app.kubernetes.io/name=echo "The echo server did not become ready in time." ./echo-demo/scripts/03-deploy-echo.sh
}

# Who else takes port 8081 on the nodes (ServiceLB opens a port only for the first Service that asks).
port_holders() {
  kubectl get services -A -o jsonpath='{range .items[*]}{.metadata.namespace}/{.metadata.name}{" "}{.spec.type}{" "}{.spec.ports[*].port}{"\n"}{end}' |
    awk '$1 != "default/echo" && $2 == "LoadBalancer" { for (i = 3; i <= NF; i++) if ($i == 8081) print $1 }'
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
  holders=$(port_holders)
  if [[ -n "$holders" ]]; then
    warn "EXTERNAL-IP is <pending>: Service ${holders//$'\n'/, } already takes port 8081 on the nodes (k3s's ServiceLB gives a port to one Service)."
    warn "Free it: kubectl delete service -n ${holders%%/*} ${holders#*/} (or give that one another port)"
  else
    warn "EXTERNAL-IP is <pending>: k3s's ServiceLB opens port 8081 on the nodes in a moment (its svclb pods: kubectl get pods -n kube-system)."
  fi
fi
if [[ $(k3s_role) == none ]]; then
  info "Try it: ECHO_HOST=phone-a ./echo-demo/scripts/04-curl.sh (any phone of the cluster answers on port 8081)"
else
  info "Try it: ./echo-demo/scripts/04-curl.sh (http://localhost:8081 on a phone of the cluster)"
fi
