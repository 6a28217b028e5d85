#!/usr/bin/env bash
# Usage: chat-demo/scripts/02-test-chat.sh
#
# Tests the deployed chat: asks its readiness, posts /whoami and shows which pod and node
# answered, then asks the chat itself (/ai-status) whether it reaches the phone's AI app
# (port 8005), which /llm needs. Explains what to do when something doesn't answer.
# Run it on the control plane phone (phone-a): it finds the chat through the Service `chat`.
# From the laptop or another phone, name the chat's address (the phone that runs it):
#   CHAT_URL=http://phone-b:8080 chat-demo/scripts/02-test-chat.sh
set -euo pipefail
# shellcheck source-path=SCRIPTDIR/../.. source=scripts/lib/demo.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/scripts/lib/demo.sh"

# The AI app as the chat pod sees it (LLM_URL in chat-demo/manifests/chat.yaml).
AI_URL="http://127.0.0.1:8005"

expect_no_arguments "$@"

no_answer() {
  local hint="Is it deployed and ready? On phone-a: kubectl get pods -l app.kubernetes.io/name=chat -o wide (deploy: chat-demo/scripts/01-deploy-chat.sh)"
  if [[ -n "${CHAT_HOST:-}" ]]; then
    hint="Is $CHAT_HOST awake (Terminal app open) and in the tailnet (tailscale status), and does the chat run there? $hint"
  fi
  die "The chat at $CHAT_URL doesn't answer, or isn't ready." "$hint"
}

# Posts a message and waits for its answer (?wait=1); prints the JSON reply. A cold /llm can take minutes.
post() {
  jq -cn --arg text "$1" '{text: $text}' |
    curl -fsS --connect-timeout 10 --max-time 200 "$CHAT_URL/api/messages?wait=1" \
      -H 'Content-Type: application/json' --data-binary @-
}

step "Find the chat"
require_cmd curl "sudo apt-get install -y curl"
require_cmd jq "sudo apt-get install -y jq"
if [[ -n "${CHAT_URL:-}" ]]; then
  CHAT_HOST=$(sed -E 's#^[a-z]+://([^/:]+).*#\1#' <<<"$CHAT_URL")
  ok "The chat's address (CHAT_URL): $CHAT_URL"
else
  if [[ "$(k3s_role)" == agent ]] || ! command -v kubectl >/dev/null 2>&1; then
    die "Without CHAT_URL this script finds the chat through the cluster, and there is no admin kubectl here." \
      "Run it on the control plane phone (phone-a), or name the phone that runs the chat: CHAT_URL=http://phone-b:8080 $0"
  fi
  require_cluster
  ip=$(kubectl get service chat -o jsonpath='{.spec.clusterIP}' 2>/dev/null) ||
    die "There is no Service chat." "Deploy the chat first: chat-demo/scripts/01-deploy-chat.sh"
  port=$(kubectl get service chat -o jsonpath='{.spec.ports[0].port}')
  if [[ "$(k3s_role)" == none ]]; then
    # A Service's cluster IP answers on the cluster's nodes only. The chat uses the host network:
    # from outside the cluster it is at port 8080 of its phone, over the tailnet.
    CHAT_HOST=$(kubectl get pods -l app.kubernetes.io/name=chat --field-selector=status.phase=Running \
      -o jsonpath='{.items[*].spec.nodeName}')
    [[ -n "$CHAT_HOST" ]] || die "No chat pod is running." "Deploy the chat first: chat-demo/scripts/01-deploy-chat.sh"
    CHAT_HOST=${CHAT_HOST%% *}
    CHAT_URL="http://$CHAT_HOST:$port"
    ok "The chat runs on $CHAT_HOST (not a cluster node here, so not through the Service): $CHAT_URL"
  else
    CHAT_URL="http://$ip:$port"
    ok "The chat's Service: $CHAT_URL"
  fi
fi

step "Ask the chat"
# #region slide
curl -fsS --max-time 10 -w '\n' "$CHAT_URL/api/readyz" || no_answer
reply=$(post /whoami) || no_answer
jq -r '"\(.pod) on \(.node) answered: \(.message.output | rtrimstr("\n"))"' <<<"$reply"
# #endregion slide
chat_node=$(jq -r '.node' <<<"$reply")
ok "The chat works; pod $(jq -r '.pod' <<<"$reply") on node $chat_node answered"

step "Does the chat reach the phone's AI app? /llm needs it"
# The chat itself asks (its /ai-status command): the AI app must answer inside the chat's phone,
# at $AI_URL, whatever machine this script runs on.
answer=$(post /ai-status) || no_answer
if [[ "$(jq -r '.message.status' <<<"$answer")" == ok ]]; then
  ok "The AI app answers the chat on $chat_node: $(jq -r '.message.output | rtrimstr("\n")' <<<"$answer")"
  exit 0
fi
info "The chat says: $(jq -r '.message.output[:300]' <<<"$answer")"
info "The chat works, but /llm and the camera commands will answer \"No answer from the AI app\"."
info "On $chat_node: open the AI app (github.com/parttimenerd/local-android-ai), start its server"
info "(port 8005) and load a model. The phone's VM may not reach Android's localhost directly:"
die "The chat on $chat_node can't reach the AI app at $AI_URL." \
  "On $chat_node run chat-demo/scripts/04-check-llm.sh: it finds the AI app on the VM's network and can start a forwarder."
