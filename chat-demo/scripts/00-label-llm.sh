#!/usr/bin/env bash
# Usage: chat-demo/scripts/00-label-llm.sh [NODE]
#
# Labels NODE llm=true: the node whose phone runs the AI app, where the chat may run.
# NODE defaults to this phone's node name as the install scripts recorded it (phone-a or
# phone-b, never the VM's hostname, which is "debian" on every phone).
# Run it on the control plane phone (phone-a).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR/../.. source=scripts/lib/demo.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/scripts/lib/demo.sh"

read_node_argument "$@"

step "Check node $NODE"
require_cluster
require_node "$NODE"
ok "Node $NODE exists"

# The chat's data volume (local-path) lives on the node where the chat first ran: the pod can
# only run there. Say so before the label points somewhere else.
volume=$(kubectl get pvc chat-data -o jsonpath='{.spec.volumeName}' 2>/dev/null || true)
if [[ -n "$volume" ]]; then
  data_node=$(kubectl get pv "$volume" \
    -o jsonpath='{.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values[0]}' 2>/dev/null || true)
  if [[ -n "$data_node" && "$data_node" != "$NODE" ]]; then
    warn "The chat's data volume lives on $data_node: the chat pod can only run there."
    info "To move the chat to $NODE, remove its data first: chat-demo/scripts/03-undeploy-chat.sh --purge"
  fi
fi

step "Label $NODE as the LLM phone"
# #region slide
kubectl label node "$NODE" llm=true --overwrite
kubectl get nodes -L llm
# #endregion slide

others=$(kubectl get nodes -l llm=true -o jsonpath='{.items[*].metadata.name}')
if [[ "$others" != "$NODE" ]]; then
  warn "More than one node carries llm=true ($others): the chat may land on any of them."
fi
info "A Pending chat pod can be placed on $NODE now. Next: chat-demo/scripts/01-deploy-chat.sh"
