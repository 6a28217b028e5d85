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

read_node_argument "$@"

step "Remove the label llm from $NODE"
require_cluster
require_node "$NODE"
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
