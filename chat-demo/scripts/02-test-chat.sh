#!/usr/bin/env bash
# Usage: chat-demo/scripts/02-test-chat.sh
#
# Tests the deployed chat: asks its readiness through the Service `chat`, posts /whoami and
# shows which pod and node answered, then checks that the phone's AI app (port 8005) answers,
# which /llm needs. Explains what to do when it doesn't.
# Run it on the control plane phone (phone-a). From elsewhere, name the chat's address:
#   CHAT_URL=http://phone-b:8080 chat-demo/scripts/02-test-chat.sh
set -euo pipefail
# shellcheck source-path=SCRIPTDIR/../.. source=scripts/lib/demo.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/scripts/lib/demo.sh"

# The AI app as the chat pod sees it (LLM_URL in chat-demo/manifests/chat.yaml).
AI_URL="http://127.0.0.1:8005"

case "${1:-}" in
  -h | --help) usage; exit 0 ;;
  "") ;;
  *) usage_error "unexpected argument: $1" ;;
esac

no_answer() {
  die "The chat at $CHAT_URL doesn't answer, or isn't ready." \
    "Is it deployed and ready? kubectl get pods -l app.kubernetes.io/name=chat -o wide (deploy: chat-demo/scripts/01-deploy-chat.sh)"
}

# Posts a message and waits for its answer (?wait=1); prints the JSON reply.
post() {
  jq -cn --arg text "$1" '{text: $text}' |
    curl -fsS --max-time 200 "$CHAT_URL/api/messages?wait=1" -H 'Content-Type: application/json' --data-binary @-
}

step "Find the chat"
require_cmd curl "sudo apt-get install -y curl"
require_cmd jq "sudo apt-get install -y jq"
if [[ -z "${CHAT_URL:-}" ]]; then
  require_cluster
  ip=$(kubectl get service chat -o jsonpath='{.spec.clusterIP}' 2>/dev/null) ||
    die "There is no Service chat." "Deploy the chat first: chat-demo/scripts/01-deploy-chat.sh"
  port=$(kubectl get service chat -o jsonpath='{.spec.ports[0].port}')
  CHAT_URL="http://$ip:$port"
fi
ok "The chat's Service: $CHAT_URL"

step "Ask the chat"
# #region slide
curl -fsS -w '\n' "$CHAT_URL/api/readyz" || no_answer
reply=$(curl -fsS "$CHAT_URL/api/messages?wait=1" -H 'Content-Type: application/json' -d '{"text":"/whoami"}') || no_answer
jq -r '"\(.pod) on \(.node) answered: \(.message.output)"' <<<"$reply"
# #endregion slide
chat_node=$(jq -r '.node' <<<"$reply")
ok "The chat works; pod $(jq -r '.pod' <<<"$reply") on node $chat_node answered"

step "Is the phone's AI app reachable? /llm needs it"
here=$(this_node_name || true)
if [[ -n "$here" && "$here" != "$chat_node" ]]; then
  # Another phone runs the chat: let the chat itself ask the AI app.
  info "The chat runs on $chat_node, this is $here: asking through the chat (/ai-status)"
  answer=$(post /ai-status)
  if [[ "$(jq -r '.message.status' <<<"$answer")" == ok ]]; then
    ok "The AI app answers the chat: $(jq -r '.message.output' <<<"$answer")"
    exit 0
  fi
  info "The chat says: $(jq -r '.message.output' <<<"$answer")"
  die "The chat on $chat_node can't reach the AI app at $AI_URL." \
    "On $chat_node run chat-demo/scripts/04-check-llm.sh: it finds the AI app and explains what to do."
fi
if health=$(curl -fsS --max-time 5 "$AI_URL/health" 2>&1); then
  ok "The AI app answers at $AI_URL: $health"
  exit 0
fi
warn "Nothing answers at $AI_URL/health inside this VM ($health)."
info "The chat works, but /llm and the camera commands will answer \"No answer from the AI app\"."
info "On the phone: open the AI app (github.com/parttimenerd/local-android-ai), start its server"
info "(port 8005) and load a model. The VM may not reach Android's localhost directly:"
die "The phone's AI app isn't reachable from this VM." \
  "Run chat-demo/scripts/04-check-llm.sh: it looks for the AI app on the VM's network and can start a forwarder."
