#!/usr/bin/env bash
# Usage: chat-demo/scripts/03-undeploy-chat.sh [--purge]
#
# Removes the chat: its Deployment (with the rqlite sidecar), Service and ConfigMap.
# The chat history stays in the volume chat-data, and the next deploy finds it again.
#   --purge   also delete the volume chat-data and with it every message
# Run it on the control plane phone (phone-a).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR/../.. source=scripts/lib/demo.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/scripts/lib/demo.sh"

MANIFESTS="$REPO_ROOT/chat-demo/manifests"
SELECTOR="app.kubernetes.io/name=chat"
PURGE=false

for arg in "$@"; do
  case "$arg" in
    -h | --help) usage; exit 0 ;;
    --purge) PURGE=true ;;
    *) usage_error "unknown argument: $arg" ;;
  esac
done

no_chat_pods() {
  [[ -z "$(kubectl get pods -l "$SELECTOR" -o name)" ]]
}

step "Remove the chat$([[ $PURGE == true ]] && echo ' and its data')"
require_cluster
# #region slide
kubectl delete -f "$MANIFESTS/chat.yaml" -f "$MANIFESTS/chat-config.yaml" --ignore-not-found
if [[ $PURGE == true ]]; then
  kubectl delete -f "$MANIFESTS/chat-data.yaml" --ignore-not-found
fi
# #endregion slide

wait_until 90 "the chat pod to stop" no_chat_pods
if [[ $PURGE == true ]]; then
  ok "The chat and its history are gone"
else
  ok "The chat is gone; its history stays in the volume chat-data (--purge deletes it)"
fi
info "Remove the node label too? chat-demo/scripts/99-unset-llm-label.sh [NODE]"
