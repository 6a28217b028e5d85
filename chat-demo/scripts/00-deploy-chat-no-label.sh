#!/usr/bin/env bash
# Usage: chat-demo/scripts/00-deploy-chat-no-label.sh
#
# The chat demo's first try: apply the chat while no node carries the label llm=true.
# The chat's nodeSelector asks for that label, so its pod stays Pending, and the
# scheduler's FailedScheduling event says why. Next: 00-label-llm.sh.
# Run it on the control plane phone (phone-a).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR/../.. source=scripts/lib/demo.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/scripts/lib/demo.sh"

MANIFESTS="$REPO_ROOT/chat-demo/manifests"
SELECTOR="app.kubernetes.io/name=chat"

expect_no_arguments "$@"

# The newest FailedScheduling message of a Pending chat pod; fails while there is none yet.
failed_scheduling_message() {
  local pods pod
  pods=$(kubectl get pods -l "$SELECTOR" --field-selector=status.phase=Pending \
    -o jsonpath='{.items[*].metadata.name}')
  for pod in $pods; do
    kubectl get events --field-selector "involvedObject.name=$pod,reason=FailedScheduling" \
      -o jsonpath='{.items[-1:].message}' | grep .
    return
  done
  return 1
}

step "Before we start"
require_cluster
labelled=$(kubectl get nodes -l llm=true -o jsonpath='{.items[*].metadata.name}')
if [[ -n "$labelled" ]]; then
  die "These nodes already carry llm=true: $labelled. The pod would be scheduled right away." \
    "Remove the label first (chat-demo/scripts/99-unset-llm-label.sh NODE), or go on with 01-deploy-chat.sh."
fi
running=$(kubectl get pods -l "$SELECTOR" --field-selector=status.phase=Running -o jsonpath='{.items[*].spec.nodeName}')
if [[ -n "$running" ]]; then
  die "The chat already runs on $running: a label only matters when a pod is placed, so nothing would be Pending." \
    "Remove it first with chat-demo/scripts/03-undeploy-chat.sh, then run this again."
fi
ok "No node is labelled llm=true"

step "Apply the chat: ConfigMap, data volume, Deployment and Service"
# #region slide
kubectl apply -f "$MANIFESTS"
kubectl get deployment,pods -l app.kubernetes.io/name=chat -o wide
# #endregion slide

step "Why is the pod Pending? Ask the scheduler"
WAIT_HINT="Look yourself: kubectl describe pods -l $SELECTOR" \
  wait_until 60 "the scheduler's FailedScheduling event" failed_scheduling_message
message=$(failed_scheduling_message)
info "FailedScheduling: $message"
case "$message" in
  *"node affinity/selector"*)
    info "The pod's nodeSelector asks for llm=true, and no node has that label yet." ;;
  *)
    warn "The scheduler gives another reason than the missing label: read it above." ;;
esac
info "Next: label the phone that runs the AI app: chat-demo/scripts/00-label-llm.sh [NODE]"
