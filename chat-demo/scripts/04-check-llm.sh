#!/usr/bin/env bash
# Usage: chat-demo/scripts/04-check-llm.sh [--forward]
#
# Checks that the phone's AI app (github.com/parttimenerd/local-android-ai, port 8005)
# answers inside this VM at localhost:8005, where the chat pod looks for it. If it doesn't,
# looks for the app on the VM's network (the default gateway is Android) and offers a socat
# forwarder from localhost:8005 to it (on the VM's loopback only, never on the tailnet; a re-run
# finds it and starts no second one); otherwise says what to check on the phone.
#   --forward   start the forwarder without asking
# Run it on the phone that runs the AI app and carries the label llm=true.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR/../.. source=scripts/lib/demo.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/scripts/lib/demo.sh"

PORT=8005
FORWARD=false
FORWARDER_LOG="${XDG_RUNTIME_DIR:-/tmp}/llm-forwarder.log"

read_flags --forward -- "$@"

# Succeeds when the AI app answers at host $1.
answers() {
  curl -fsS --max-time 3 "http://$1:$PORT/health" >/dev/null 2>&1
}

# Addresses worth asking: the default gateway (Android, seen from the VM), then the VM's neighbours.
candidates() {
  {
    ip -4 route show default | awk '{ print $3 }'
    ip -4 neigh show | awk '$1 ~ /^[0-9.]+$/ { print $1 }'
  } | awk 'NF && !seen[$0]++'
}

report_models() {
  local models
  models=$(curl -fsS --max-time 5 "http://127.0.0.1:$PORT/ai/models" 2>/dev/null) || return 0
  info "Models: $(jq -r '[.models[]? | "\(.name)\(if .currentlyLoaded then " (loaded)" elif .available then " (downloaded)" else "" end)"] | join(", ")' <<<"$models")"
  if [[ "$(jq '[.models[]? | select(.available or .currentlyLoaded)] | length' <<<"$models")" == 0 ]]; then
    warn "No model is downloaded yet: open the AI app and download one (Gemma 3 1B is quick), or /llm answers MODEL_NOT_AVAILABLE."
  fi
}

require_cmd curl "sudo apt-get install -y curl"
require_cmd jq "sudo apt-get install -y jq"
if ! this_node_name >/dev/null; then
  die "This isn't a phone of the cluster (no node name recorded in $K3S_NODE_CONFIG)." \
    "Run it in the Linux terminal of the phone with the AI app and the label llm=true, e.g. phone-b (from the laptop: ssh droid@phone-b), after it joined the cluster."
fi

step "Does the AI app answer at localhost:$PORT inside this VM?"
if answers 127.0.0.1; then
  ok "The AI app answers at http://localhost:$PORT: $(curl -fsS --max-time 3 "http://127.0.0.1:$PORT/health")"
  report_models
  exit 0
fi
warn "Nothing answers at http://localhost:$PORT/health."
if listener=$(ss -Hltn "sport = :$PORT" 2>/dev/null) && [[ -n "$listener" ]]; then
  die "Something listens on port $PORT in this VM but doesn't answer like the AI app (an old forwarder?)." \
    "Find it with: ss -ltnp 'sport = :$PORT' — stop it (kill PID) and run this script again."
fi

step "Look for the AI app on the VM's network"
require_cmd ip "sudo apt-get install -y iproute2"
address=""
tried=()
while read -r candidate; do
  tried+=("$candidate")
  if answers "$candidate"; then
    address=$candidate
    break
  fi
done < <(candidates)

if [[ -z "$address" ]]; then
  warn "The AI app answers neither at localhost nor on the VM's network (asked: ${tried[*]:-no address found})."
  info "Check on the phone:"
  info "  1. The AI app is installed (github.com/parttimenerd/local-android-ai, releases) and open."
  info "  2. Its server runs: the app shows it listening on port $PORT."
  info "  3. In the phone's browser, http://localhost:$PORT/health answers. If not, restart the app."
  info "  4. Battery optimisation is off for the app, so Android doesn't stop it in the background."
  die "The phone's AI app isn't reachable from this VM." "Fix the above, then run this script again."
fi
ok "The AI app answers at http://$address:$PORT"

step "Forward localhost:$PORT in the VM to the AI app"
info "The chat pod looks for the AI app at localhost:$PORT: a small forwarder bridges the gap."
info "  socat TCP-LISTEN:$PORT,bind=127.0.0.1,fork,reuseaddr TCP:$address:$PORT"
if [[ $FORWARD != true ]] && ! confirm "Start it now (in the background)?"; then
  info "Start it yourself with the line above (or run this script with --forward)."
  exit 0
fi
require_cmd socat "sudo apt-get install -y socat"
# #region slide
nohup socat "TCP-LISTEN:$PORT,bind=127.0.0.1,fork,reuseaddr" "TCP:$address:$PORT" \
  >"$FORWARDER_LOG" 2>&1 &
# #endregion slide
forwarder=$!
disown "$forwarder"
WAIT_HINT="See $FORWARDER_LOG" wait_until 10 "the AI app through the forwarder" answers 127.0.0.1
report_models
info "The forwarder runs as process $forwarder until the VM restarts (stop it: kill $forwarder)."
