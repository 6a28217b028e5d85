#!/usr/bin/env bash
# Usage: chat-demo/scripts/99-unset-llm-label.sh [NODE]
#
# Removes the label llm=true from NODE after the demo. NODE defaults to this phone's node
# name as the install scripts recorded it (never the VM's hostname: "debian" on every phone).
# A chat pod that already runs stays where it is: labels count only when a pod is placed.
# Run it on the control plane phone (phone-a).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR/../.. source=scripts/lib/demo.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/scripts/lib/demo.sh"

case "${1:-}" in
  -h | --help) usage; exit 0 ;;
  -*) usage_error "unknown option: $1" ;;
esac
(($# <= 1)) || usage_error "expected at most one NODE, got $#"

if [[ -n "${1:-}" ]]; then
  NODE=$1
elif ! NODE=$(this_node_name); then
  die "This phone's node name isn't recorded (no node-name in $K3S_NODE_CONFIG)." \
    "Name the node: chat-demo/scripts/99-unset-llm-label.sh phone-b (kubectl get nodes lists them)"
fi

step "Remove the label llm from $NODE"
require_cluster
if ! kubectl get node "$NODE" >/dev/null 2>&1; then
  die "There is no node called $NODE." "The nodes are: $(kubectl get nodes -o jsonpath='{.items[*].metadata.name}')"
fi
# #region slide
kubectl label node "$NODE" llm-
kubectl get nodes -L llm
# #endregion slide

running=$(kubectl get pods -l app.kubernetes.io/name=chat --field-selector=status.phase=Running \
  -o jsonpath='{.items[*].spec.nodeName}')
if [[ -n "$running" ]]; then
  info "The chat keeps running on $running: the label only counts when a pod is placed."
  info "Remove the chat with chat-demo/scripts/03-undeploy-chat.sh"
fi
ok "$NODE no longer carries llm=true"
