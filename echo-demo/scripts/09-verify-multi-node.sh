#!/usr/bin/env bash
# Usage: 09-verify-multi-node.sh
#
# Shows the cluster's nodes with their roles and addresses, and checks what k3s needs between the
# phones: every node Ready at its tailnet address, its kubelet reachable from the API server (TCP
# 10250: logs, exec) and its pods reachable over the pod network (flannel's VXLAN, UDP 8472).
# Exits 1 when something is missing, with what to do. Run it on the control plane: an agent phone
# has no admin kubeconfig.
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
# A phone that has just joined turns Ready within seconds: give it a minute.
kubectl wait --for=condition=Ready node --all --timeout=60s >/dev/null 2>&1 || true
HERE=$(this_node_name || true)
nodes=0 problems=0 hint=
problem() {
  warn "$1"
  problems=$((problems + 1))
  hint=$2
}
mapfile -t rows < <(kubectl get nodes -o jsonpath='{range .items[*]}{.metadata.name}{" "}{.status.addresses[?(@.type=="InternalIP")].address}{" "}{.status.conditions[?(@.type=="Ready")].status}{" "}{.spec.podCIDR}{"\n"}{end}')
for row in "${rows[@]}"; do
  read -r name ip ready cidr <<<"$row"
  nodes=$((nodes + 1))
  if [[ "$ready" != True ]]; then
    problem "$name is not Ready (kubectl describe node $name says why)" \
      "Is $name awake, with the Terminal app open and the screen on, and in the tailnet (tailscale ping $name)? On it: sudo systemctl status k3s-agent"
    continue
  fi
  if ! is_tailnet_ip "$ip"; then
    problem "$name advertises $ip, not a tailnet address" \
      "Run 07-setup-tailscale.sh on $name (then 08-join-cluster.sh again if it is an agent)"
    continue
  fi
  ok "$name is Ready at $ip"
  [[ "$name" != "$HERE" ]] || continue
  if kubectl get --raw "/api/v1/nodes/$name/proxy/healthz" --request-timeout=15s >/dev/null 2>&1; then
    ok "The API server reaches the kubelet of $name"
  else
    problem "The API server can't reach the kubelet of $name (TCP 10250): kubectl logs and exec fail for its pods" "$TAILNET_POLICY_HINT"
  fi
  # flannel gives every node the network address of its pod subnet (10.42.1.0 for 10.42.1.0/24)
  # on flannel.1; it answers only through the VXLAN tunnel between the phones (not to the laptop).
  [[ -n "$HERE" ]] || continue
  if ping -c 2 -W 2 "${cidr%/*}" >/dev/null 2>&1; then
    ok "Pods on ${HERE:-this phone} reach pods on $name (${cidr%/*})"
  else
    problem "$name is Ready, but pods on ${HERE:-this phone} can't reach pods on it: no answer from its pod network (${cidr%/*}) over flannel's VXLAN (UDP 8472)" "$TAILNET_POLICY_HINT"
  fi
done

if [[ -z "$HERE" ]]; then
  info "Not a node of the cluster: the pod network between the phones can only be checked on the control plane (run this there)."
fi
if ((problems > 0)); then
  die "$problems problem(s) between the $nodes nodes (above)." "$hint"
elif ((nodes < 2)); then
  info "Only one node so far: on the second phone run ./echo-demo/scripts/08-join-cluster.sh $(this_node_name || echo phone-a)"
else
  info "Next: ./echo-demo/scripts/03-deploy-echo.sh, 05-scale-echo.sh 3 and 04c-curl-nodename.sh"
fi
