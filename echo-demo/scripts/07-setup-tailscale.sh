#!/usr/bin/env bash
# Usage: 07-setup-tailscale.sh HOSTNAME
#
# Puts this phone into your tailnet (the VPN that connects the phones and the laptop) as
# HOSTNAME, e.g. phone-a or phone-b. Installs Tailscale if it is missing and logs in with the
# auth key in .tailscale-key in the repository root: create a key in the Tailscale admin console
# (Settings → Keys; reusable and ephemeral suit a demo) and save it with
#   (umask 077 && cat > .tailscale-key)      # paste the key, then Ctrl-D
# The file must not be readable by other users. The key never appears on a command line.
#
# If this phone already runs the k3s server, k3s is reconfigured to advertise its tailnet
# address, so that a second phone can join (08-join-cluster.sh).
#
# Environment: TAILSCALE_KEY_FILE  another place for the key file
set -euo pipefail
# shellcheck source-path=SCRIPTDIR/../.. source=scripts/lib/demo.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/scripts/lib/demo.sh"

case $# in
  0) usage_error "HOSTNAME is missing (e.g. phone-a)" ;;
  1) if [[ $1 == -h || $1 == --help ]]; then usage; exit 0; fi ;;
  *) usage_error "too many arguments" ;;
esac
TS_HOSTNAME=$1
is_node_name "$TS_HOSTNAME" || usage_error "'$TS_HOSTNAME' is not a valid hostname (a-z, 0-9 and -)"

KEY_FILE=${TAILSCALE_KEY_FILE:-$REPO_ROOT/.tailscale-key}

step "Check the auth key"
[[ -f "$KEY_FILE" ]] || die "No Tailscale auth key in $KEY_FILE." \
  "Create one in the admin console (https://login.tailscale.com/admin/settings/keys), then: (umask 077 && cat > $KEY_FILE)"
mode=$(stat -c '%a' "$KEY_FILE")
if ((8#$mode & 8#077)); then
  die "$KEY_FILE is readable by other users (mode $mode): refusing to use it." "Make it private: chmod 600 $KEY_FILE"
fi
[[ -s "$KEY_FILE" ]] || die "$KEY_FILE is empty." "Paste the auth key into it."
ok "$KEY_FILE is there and private"

step "Check for a TUN device"
if [[ ! -e "$DEMO_SYSROOT/dev/net/tun" ]]; then
  die "This VM has no /dev/net/tun: Tailscale would run in userspace mode, without a tailscale0 interface, and k3s needs tailscale0 to reach the other phones." \
    "Try: sudo modprobe tun — if that fails, this kernel has no TUN support (update Android and the Terminal app)."
fi
ok "/dev/net/tun is there"

step "Install Tailscale"
if command -v tailscale >/dev/null 2>&1; then
  ok "Tailscale is installed ($(tailscale version 2>/dev/null | head -n 1))"
else
  require_cmd curl "Install it: sudo apt install -y curl"
  curl -fsSL https://tailscale.com/install.sh | sh
  require_cmd tailscale "The Tailscale installer did not finish; run it again: curl -fsSL https://tailscale.com/install.sh | sh"
  ok "Tailscale is installed"
fi

step "Join the tailnet as $TS_HOSTNAME"
# #region slide
sudo tailscale up --auth-key="file:$KEY_FILE" --hostname="$TS_HOSTNAME" --timeout=120s
tailscale ip -4
# #endregion slide
WAIT_HINT="tailscaled may run in userspace mode: sudo journalctl -u tailscaled -n 30 --no-pager"
wait_until 30 "the tailscale0 interface" test -e "$DEMO_SYSROOT/sys/class/net/tailscale0"
TAILNET_IP=$(tailnet_ip) || die "Tailscale is up but has no IPv4 address." "Check: tailscale status"
DNS_NAME=$(tailscale status --json --peers=false 2>/dev/null |
  sed -n 's/^[[:space:]]*"DNSName":[[:space:]]*"\([^"]*\)".*/\1/p' | head -n 1 || true)
DNS_NAME=${DNS_NAME%.}
ok "This phone is $TS_HOSTNAME in the tailnet: $TAILNET_IP${DNS_NAME:+ ($DNS_NAME)}"

case $(k3s_role) in
  server)
    step "Let k3s advertise the tailnet address"
    info "A k3s server runs here: re-running 01-install-k3s.sh keeps its data and adds --node-ip $TAILNET_IP."
    node=$(this_node_name || echo "$TS_HOSTNAME")
    "$REPO_ROOT/echo-demo/scripts/01-install-k3s.sh" --node-name "$node" </dev/null
    info "Next, on the second phone: ./echo-demo/scripts/07-setup-tailscale.sh phone-b, then 08-join-cluster.sh $TS_HOSTNAME"
    ;;
  agent)
    info "This phone is a k3s agent: re-run ./echo-demo/scripts/08-join-cluster.sh to use the tailnet address."
    ;;
  none)
    info "Next: on the control plane run ./echo-demo/scripts/01-install-k3s.sh (if not done yet);"
    info "on a second phone: ./echo-demo/scripts/08-join-cluster.sh CONTROL_PLANE (e.g. phone-a)"
    ;;
esac
