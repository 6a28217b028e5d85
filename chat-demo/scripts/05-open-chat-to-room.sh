#!/usr/bin/env bash
# Usage: chat-demo/scripts/05-open-chat-to-room.sh
#
# Opens the chat to the room: publishes its audience listener (127.0.0.1:8090, AUDIENCE_PORT)
# on the internet over HTTPS with Tailscale Funnel, in the background, and prints the public URL
# (https://NAME.TAILNET.ts.net/) for the slide's QR code. The speaker's port 8080 stays in the
# tailnet. Checks first, and says what to do: that it runs on the phone with the chat pod (the
# one labelled llm=true), that this phone is in the tailnet, that the tailnet has HTTPS
# certificates and its policy gives the phone the funnel attribute. A re-run changes nothing.
# Close it again with 06-close-chat-to-room.sh.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR/../.. source=scripts/lib/demo.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/scripts/lib/demo.sh"

CHAT_PORT=8080
AUDIENCE_PORT=8090
TARGET="http://127.0.0.1:$AUDIENCE_PORT"

expect_no_arguments "$@"

# Prints where the chat is now and how the slide gets its QR code.
show_url() {
  ok "The chat is open to the room: $1"
  info "Anyone can post there (the audience's commands only); the speaker's http://$2:$CHAT_PORT stays in the tailnet."
  info "For the slide's QR code, put it into project.json:  \"chatPublicUrl\": \"$1\""
  info "and rebuild the deck (npm run build). A new name can take a few minutes to resolve everywhere:"
  info "try it on a phone off the Wi-Fi. Close it after the talk: chat-demo/scripts/06-close-chat-to-room.sh"
}

step "Does the chat run on this phone?"
require_cmd curl "sudo apt-get install -y curl"
require_cmd jq "sudo apt-get install -y jq"
if ! curl -fsS --max-time 5 -o /dev/null "http://127.0.0.1:$CHAT_PORT/api/readyz" 2>/dev/null; then
  die "The chat doesn't answer on this machine (127.0.0.1:$CHAT_PORT): the funnel must be opened where the chat pod runs." \
    "Run this in the Linux terminal of the phone labelled llm=true (on phone-a: kubectl get pods -l app.kubernetes.io/name=chat -o wide shows it; from the laptop: ssh droid@phone-b)."
fi
listener=$(ss -Hltn "sport = :$AUDIENCE_PORT" 2>/dev/null || true)
if [[ -z "$listener" ]] || ! curl -fsS --max-time 5 -o /dev/null "$TARGET/" 2>/dev/null; then
  die "The chat runs here, but nothing answers at $TARGET: this chat has no audience listener." \
    "Deploy a chat version with AUDIENCE_PORT=$AUDIENCE_PORT (chat-demo/manifests/chat.yaml; on phone-a: chat-demo/scripts/01-deploy-chat.sh), then run this again."
fi
if [[ "$listener" != *"127.0.0.1:$AUDIENCE_PORT"* ]]; then
  warn "The audience listener listens on more than the loopback: $listener"
fi
ok "The chat answers here; its audience listener at $TARGET"

step "Is this phone in the tailnet, with HTTPS and Funnel allowed?"
require_cmd tailscale "Join the tailnet first: echo-demo/scripts/07-setup-tailscale.sh"
status=$(tailscale status --json 2>/dev/null) ||
  die "Tailscale isn't running on this phone." "Start it: sudo systemctl start tailscaled, then echo-demo/scripts/07-setup-tailscale.sh"
state=$(jq -r '.BackendState' <<<"$status")
if [[ "$state" != Running ]]; then
  die "This phone isn't connected to the tailnet (Tailscale: $state)." \
    "Connect it: echo-demo/scripts/07-setup-tailscale.sh (or sudo tailscale up), then run this again."
fi
name=$(jq -r '.Self.DNSName | rtrimstr(".")' <<<"$status")
if [[ "$(jq '.CertDomains // [] | length' <<<"$status")" == 0 ]]; then
  die "The tailnet has no HTTPS certificates, which Funnel needs." \
    "In the admin console, DNS page (https://login.tailscale.com/admin/dns): turn on MagicDNS and HTTPS Certificates, then run this again."
fi
if [[ "$(jq '.Self.CapMap // {} | has("funnel")' <<<"$status")" != true ]]; then
  die "The tailnet policy doesn't give this phone the funnel attribute." \
    "In the policy file (https://login.tailscale.com/admin/acls/file) add: \"nodeAttrs\": [{\"target\": [\"autogroup:member\"], \"attr\": [\"funnel\"]}], save, and run this again."
fi
ok "$name is in the tailnet; HTTPS certificates and Funnel are allowed"

step "Publish the audience listener"
config=$(tailscale funnel status --json)
proxy=$(jq -r --arg hp "$name:443" '.Web[$hp].Handlers["/"].Proxy // ""' <<<"$config")
public=$(jq -r --arg hp "$name:443" '.AllowFunnel[$hp] // false' <<<"$config")
if [[ "$proxy" == "$TARGET" && "$public" == true ]]; then
  info "Already published: nothing to change."
  show_url "https://$name/" "${name%%.*}"
  exit 0
fi
if [[ -n "$proxy" ]]; then
  die "Port 443 of $name already serves $proxy ($([[ $public == true ]] && echo 'on the internet' || echo 'in the tailnet'))." \
    "See it with: tailscale funnel status. Remove it first (sudo tailscale serve --https=443 off), then run this again."
fi
# #region slide
sudo tailscale funnel --bg --https=443 "$TARGET"
tailscale funnel status
# #endregion slide
config=$(tailscale funnel status --json)
if [[ "$(jq -r --arg hp "$name:443" '.AllowFunnel[$hp] // false' <<<"$config")" != true ]]; then
  die "Tailscale didn't publish the chat." "See what it says: tailscale funnel status"
fi
show_url "https://$name/" "${name%%.*}"
