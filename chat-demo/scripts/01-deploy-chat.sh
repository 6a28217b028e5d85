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

expect_no_arguments "$@"

# The node the chat's data volume (local-path) lives on; empty before the first deploy.
data_node() {
  local volume
  volume=$(kubectl get pvc chat-data -o jsonpath='{.spec.volumeName}' 2>/dev/null) || return 0
  [[ -n "$volume" ]] || return 0
  kubectl get pv "$volume" \
    -o jsonpath='{.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values[0]}' 2>/dev/null || true
}

# The newest chat pod's field at a jsonpath ("" when there is none).
pod_field() {
  kubectl get pods -l "$SELECTOR" -o jsonpath="{.items[-1:]$1}" 2>/dev/null || true
}

# When the rollout doesn't finish: say why the pod waits, from what Kubernetes reports about it.
rollout_failed() {
  local pod scheduling waiting failed pulls
  warn "The chat didn't become ready in time. What Kubernetes says:"
  kubectl get pods -l "$SELECTOR" -o wide >&2 || true
  pod=$(pod_field .metadata.name)
  scheduling=$(pod_field '.status.conditions[?(@.type=="PodScheduled")].message')
  waiting=$(pod_field '.status.containerStatuses[*].state.waiting.reason')
  [[ -n "$pod" ]] || die "The Deployment made no pod." "Look at it: kubectl describe deployment chat"
  if [[ -n "$scheduling" ]]; then info "The scheduler: $scheduling"; fi
  case "$scheduling $waiting" in
    *"node affinity/selector"*)
      die "No Ready node carries the label llm=true." \
        "Is the labelled phone awake and Ready (kubectl get nodes -L llm)? Or label another: chat-demo/scripts/00-label-llm.sh NODE" ;;
    *"volume node affinity conflict"*)
      die "The chat's history lives on $(data_node), which doesn't carry llm=true: the pod can only run there." \
        "Label $(data_node) (chat-demo/scripts/00-label-llm.sh $(data_node)), or delete the history: chat-demo/scripts/03-undeploy-chat.sh --purge" ;;
    *"free ports"*)
      die "Another pod with the host network holds port $CHAT_PORT (or rqlite's 4001/4002) on the labelled phone." \
        "Find it: kubectl get pods -A -o wide --field-selector spec.nodeName=$(kubectl get nodes -l llm=true -o jsonpath='{.items[0].metadata.name}'); remove it, or label another phone." ;;
    *"not-ready"*)
      die "The labelled phone's node isn't Ready (asleep, or its Terminal app closed?)." \
        "Wake the phone and open the Terminal app: kubectl get nodes shows it Ready again within a minute." ;;
    *"Insufficient memory"*)
      die "The labelled phone hasn't enough memory left for the chat." \
        "Close apps on that phone, or remove other workloads: kubectl get pods -A -o wide" ;;
    *ErrImagePull* | *ImagePullBackOff*)
      failed=$(kubectl get events --field-selector "involvedObject.name=$pod,reason=Failed" -o jsonpath='{.items[-1:].message}' 2>/dev/null || true)
      info "The kubelet: ${failed:-$waiting}"
      die "An image of the chat can't be pulled: not published, private, or misspelt." \
        "Publish it and make the package public (chat-demo/README.md, section 2), or fix image: in chat-demo/manifests/chat.yaml" ;;
    *ContainerCreating*)
      pulls=$(kubectl get events --field-selector "involvedObject.name=$pod,reason=Pulling" -o jsonpath='{.items[*].message}' 2>/dev/null || true)
      if [[ -n "$pulls" ]]; then
        info "The kubelet: $pulls"
        die "The images are still downloading: the phone's network is slow (conference Wi-Fi?)." \
          "Wait and watch: kubectl rollout status deployment/chat --timeout=600s. Next time pull them ahead on good Wi-Fi (sudo k3s crictl pull IMAGE on the labelled phone)."
      fi ;;
  esac
  info "Not ready: kubectl logs deployment/chat -c chat, and -c rqlite for the database"
  die "The chat did not roll out." "Why a pod waits: kubectl describe pods -l $SELECTOR"
}

step "Before we start"
require_cluster
labelled=$(kubectl get nodes -l llm=true -o jsonpath='{.items[*].metadata.name}')
if [[ -z "$labelled" ]]; then
  die "No node carries the label llm=true, so the chat can't be scheduled." \
    "Label the phone that runs the AI app: chat-demo/scripts/00-label-llm.sh [NODE]"
fi
ready=""
for node in $labelled; do
  if node_is_ready "$node"; then ready+="$node "; fi
done
if [[ -z "$ready" ]]; then
  die "$labelled carries llm=true but isn't Ready: the chat would wait for it." \
    "Wake that phone and open its Terminal app (kubectl get nodes shows it Ready), or label another: chat-demo/scripts/00-label-llm.sh NODE"
fi
ok "Labelled llm=true and Ready: ${ready% }"
data=$(data_node)
if [[ -n "$data" && " $labelled " != *" $data "* ]]; then
  die "The chat's history (volume chat-data) lives on $data, which doesn't carry llm=true: the pod could only run there." \
    "Label $data (chat-demo/scripts/00-label-llm.sh $data), or delete the history first: chat-demo/scripts/03-undeploy-chat.sh --purge"
fi

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
info "Next: chat-demo/scripts/02-test-chat.sh; to let the room in, on $node: chat-demo/scripts/05-open-chat-to-room.sh"
