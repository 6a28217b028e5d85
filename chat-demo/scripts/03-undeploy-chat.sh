#!/usr/bin/env bash
# Usage: chat-demo/scripts/03-undeploy-chat.sh [--purge]
#
# Removes the chat: its Deployment (with the rqlite sidecar), Service and ConfigMap.
# The chat history stays in the volume chat-data, and the next deploy finds it again.
#   --purge   also delete the volume chat-data and with it every message (once the pod has
#             stopped: a claim goes only when no pod uses it)
# Run it on the control plane phone (phone-a).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR/../.. source=scripts/lib/demo.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/scripts/lib/demo.sh"

MANIFESTS="$REPO_ROOT/chat-demo/manifests"
SELECTOR="app.kubernetes.io/name=chat"
PURGE=false

read_flags --purge -- "$@"

no_chat_pods() {
  [[ -z "$(kubectl get pods -l "$SELECTOR" -o name)" ]]
}

# Waits (a while) for the chat pod to be gone; fails instead of exiting, so pod_stuck can explain.
chat_pod_stopped() {
  (wait_until 90 "the chat pod to stop" no_chat_pods)
}

# A pod that doesn't stop: its phone doesn't answer (only its kubelet can confirm the end).
pod_stuck() {
  local pod node
  pod=$(kubectl get pods -l "$SELECTOR" -o jsonpath='{.items[0].metadata.name}')
  node=$(kubectl get pods -l "$SELECTOR" -o jsonpath='{.items[0].spec.nodeName}')
  warn "Pod $pod on $node is still Terminating: only $node's kubelet can confirm it stopped."
  if [[ -n "$node" ]] && ! node_is_ready "$node"; then
    info "$node isn't Ready: is the phone asleep, or its Terminal app closed?"
  fi
  die "The chat pod didn't stop$([[ $PURGE == true ]] && echo ', so its history stays (a claim goes only when no pod uses it)')." \
    "Wake $node and run this again. If that phone is gone for good: kubectl delete pod $pod --force --grace-period=0"
}

step "Remove the chat$([[ $PURGE == true ]] && echo ' and its data')"
require_cluster
# #region slide
kubectl delete -f "$MANIFESTS/chat.yaml" -f "$MANIFESTS/chat-config.yaml" --ignore-not-found
chat_pod_stopped || pod_stuck
if [[ $PURGE == true ]]; then
  kubectl delete -f "$MANIFESTS/chat-data.yaml" --ignore-not-found --timeout=60s
fi
# #endregion slide

if [[ $PURGE == true ]]; then
  ok "The chat and its history are gone"
else
  ok "The chat is gone; its history stays in the volume chat-data (--purge deletes it)"
fi
info "Remove the node label too? chat-demo/scripts/99-unset-llm-label.sh [NODE]"
