#!/usr/bin/env bash
# Usage: chat-demo/scripts/06-close-chat-to-room.sh
#
# Closes the chat to the room again: takes down the Tailscale Funnel that
# 05-open-chat-to-room.sh opened on port 443 of this phone. The chat keeps running for the
# tailnet (http://PHONE:8080). Does nothing when nothing is published, and leaves alone what
# port 443 serves if it isn't the chat. Run it on the phone where the chat was opened.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR/../.. source=scripts/lib/demo.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/scripts/lib/demo.sh"

TARGET="http://127.0.0.1:8090"

expect_no_arguments "$@"

step "What does this phone publish?"
require_cmd jq "sudo apt-get install -y jq"
require_cmd tailscale "No Tailscale here, so nothing is published from here: run this on the phone that opened the chat."
status=$(tailscale status --json 2>/dev/null) ||
  die "Tailscale isn't running on this machine." "Start it (sudo systemctl start tailscaled) and run this again."
name=$(jq -r '.Self.DNSName | rtrimstr(".")' <<<"$status")
config=$(tailscale funnel status --json)
proxy=$(jq -r --arg hp "$name:443" '.Web[$hp].Handlers["/"].Proxy // ""' <<<"$config")
if [[ -z "$proxy" ]]; then
  ok "Nothing is published on port 443 of ${name:-this machine}: the chat isn't open to the room from here."
  info "Opened on another phone? Run this there (tailscale funnel status shows what a phone publishes)."
  exit 0
fi
if [[ "$proxy" != "$TARGET" ]]; then
  warn "Port 443 of $name serves $proxy, not the chat ($TARGET): left as it is."
  info "Remove it yourself if you mean to: sudo tailscale serve --https=443 off"
  exit 0
fi

step "Close the chat to the room"
# #region slide
sudo tailscale funnel --https=443 off
tailscale funnel status
# #endregion slide
config=$(tailscale funnel status --json)
if [[ -n "$(jq -r --arg hp "$name:443" '.Web[$hp] // empty' <<<"$config")" ]]; then
  die "Port 443 is still published." "See what Tailscale says: tailscale funnel status"
fi
ok "The chat is closed to the room; the tailnet still reaches it at http://${name%%.*}:8080"
