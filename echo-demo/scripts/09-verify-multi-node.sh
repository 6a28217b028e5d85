#!/usr/bin/env bash
# Usage: 09-verify-multi-node.sh
#
# Shows the cluster's nodes with their roles and addresses, and checks that every node is Ready
# and advertises its tailnet address. Run it on the control plane: an agent phone has no admin
# kubeconfig.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR/../.. source=scripts/lib/demo.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/scripts/lib/demo.sh"

expect_no_arguments "$@"

# Tailscale hands out addresses from 100.64.0.0/10 (100.64.x.x to 100.127.x.x).
is_tailnet_ip() {
  local second
  [[ $1 =~ ^100\.([0-9]+)\. ]] || return 1
  second=${BASH_REMATCH[1]}
  ((second >= 64 && second <= 127))
}

step "Can kubectl reach the cluster?"
if [[ $(k3s_role) == agent ]]; then
  die "This phone is a k3s agent ($(this_node_name || echo worker)): it has no admin kubeconfig." \
    "Run this on the control plane (phone-a): ./echo-demo/scripts/09-verify-multi-node.sh"
fi
require_cluster
ok "The API server answers"

step "The nodes"
# #region slide
kubectl get nodes -o wide
# #endregion slide

step "Check every node"
nodes=0
while read -r name ip ready; do
  nodes=$((nodes + 1))
  if [[ "$ready" != True ]]; then
    warn "$name is not Ready (kubectl describe node $name says why)"
  elif ! is_tailnet_ip "$ip"; then
    warn "$name advertises $ip, not a tailnet address: run 07-setup-tailscale.sh on it (then 08 again on an agent)"
  else
    ok "$name is Ready at $ip"
  fi
done < <(kubectl get nodes -o jsonpath='{range .items[*]}{.metadata.name}{" "}{.status.addresses[?(@.type=="InternalIP")].address}{" "}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}')

if ((nodes < 2)); then
  info "Only one node so far: on the second phone run ./echo-demo/scripts/08-join-cluster.sh $(this_node_name || echo phone-a)"
else
  info "Next: ./echo-demo/scripts/03-deploy-echo.sh, 05-scale-echo.sh 3 and 04c-curl-nodename.sh"
fi
