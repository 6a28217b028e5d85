#!/usr/bin/env bash
# Usage: chat-demo/scripts/01-deploy-chat.sh
#
# Deploys the chat (ConfigMap, data volume, Deployment with the rqlite sidecar, Service),
# waits until it runs on the phone labelled llm=true, and prints where to open it.
# Label a node first: 00-label-llm.sh. Run it on the control plane phone (phone-a).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR/../.. source=scripts/lib/demo.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/scripts/lib/demo.sh"

MANIFESTS="$REPO_ROOT/chat-demo/manifests"
SELECTOR="app.kubernetes.io/name=chat"
CHAT_PORT=8080

case "${1:-}" in
  -h | --help) usage; exit 0 ;;
  "") ;;
  *) usage_error "unexpected argument: $1" ;;
esac

# When the rollout doesn't finish: show what Kubernetes knows, and the usual causes.
rollout_failed() {
  warn "The chat didn't become ready in time. What Kubernetes says:"
  kubectl get pods -l "$SELECTOR" -o wide >&2 || true
  kubectl get events --field-selector type=Warning --sort-by=.lastTimestamp 2>/dev/null | tail -n 8 >&2 || true
  info "Pending: is the labelled phone's node Ready, and does the data volume live on it? (00-label-llm.sh checks)" >&2
  info "ErrImagePull / ImagePullBackOff: is the image published? See chat-demo/README.md (publish.sh)" >&2
  info "Not ready: kubectl logs deployment/chat -c chat, and -c rqlite for the database" >&2
  die "The chat did not roll out." "Why a pod waits: kubectl describe pods -l $SELECTOR"
}

step "Before we start"
require_cluster
labelled=$(kubectl get nodes -l llm=true -o jsonpath='{.items[*].metadata.name}')
if [[ -z "$labelled" ]]; then
  die "No node carries the label llm=true, so the chat can't be scheduled." \
    "Label the phone that runs the AI app: chat-demo/scripts/00-label-llm.sh [NODE]"
fi
ok "Labelled llm=true: $labelled"

step "Deploy the chat and wait for it"
# #region slide
kubectl apply -f "$MANIFESTS"
kubectl rollout status deployment/chat --timeout=300s || rollout_failed
kubectl get pods -l app.kubernetes.io/name=chat -o wide
# #endregion slide

step "Open the chat"
node=$(kubectl get pods -l "$SELECTOR" --field-selector=status.phase=Running -o jsonpath='{.items[0].spec.nodeName}')
address=$(kubectl get node "$node" -o jsonpath='{.status.addresses[?(@.type=="InternalIP")].address}')
ok "The chat runs on $node"
info "On that phone's browser: http://localhost:$CHAT_PORT"
info "From the laptop (tailnet):  http://$node:$CHAT_PORT  or  http://$address:$CHAT_PORT"
info "Next: chat-demo/scripts/02-test-chat.sh"
