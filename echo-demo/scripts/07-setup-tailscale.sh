#!/usr/bin/env bash
# Usage: 07-setup-tailscale.sh HOSTNAME
#
# Puts this phone into your tailnet (the VPN that connects the phones and the laptop) as
# HOSTNAME, e.g. phone-a or phone-b. Installs Tailscale if it is missing and logs in with the
# auth key in .tailscale-key in the repository root: create a key in the Tailscale admin console
# (Settings → Keys; reusable and ephemeral suit a demo) and save it with
#   (umask 077 && cat > .tailscale-key)      # paste the key, then Ctrl-D
# The file must not be readable by other users. The key never appears on a command line.
# Run it again at any time: on a phone that is already in the tailnet it only sets the name.
#
# If this phone already runs the k3s server, k3s is reconfigured to advertise its tailnet
# address, so that a second phone can join (08-join-cluster.sh).
#
# Environment: TAILSCALE_KEY_FILE  another place for the key file
set -euo pipefail
# shellcheck source-path=SCRIPTDIR/../.. source=scripts/lib/demo.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/scripts/lib/demo.sh"

expect_at_most_one_argument "$@"
(($# == 1)) || usage_error "HOSTNAME is missing (e.g. phone-a)"
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
require_cmd sudo "Run this as the normal user (droid), which can use sudo: install it with su -c 'apt install -y sudo'."
if command -v tailscale >/dev/null 2>&1; then
  version=$(tailscale version 2>/dev/null || true)
  ok "Tailscale is installed (${version%%$'\n'*})"
else
  require_cmd curl "Install it: sudo apt install -y curl"
  curl -fsSL https://tailscale.com/install.sh | sh
  require_cmd tailscale "The Tailscale installer did not finish; run it again: curl -fsSL https://tailscale.com/install.sh | sh"
  ok "Tailscale is installed"
fi

step "Join the tailnet as $TS_HOSTNAME"
# Why `tailscale up` failed, and what to do.
up_failed() {
  case $(tailscale_status_field BackendState || true) in
    NeedsMachineAuth) die "This tailnet needs an admin to approve new devices, and nobody approved this phone within 2 minutes." \
      "Approve it at https://login.tailscale.com/admin/machines (or use a pre-approved auth key), then run again: ./echo-demo/scripts/07-setup-tailscale.sh $TS_HOSTNAME" ;;
    NeedsLogin) die "Tailscale did not accept the auth key in $KEY_FILE (expired, used up, or not the whole key?)." \
      "Create a new key at https://login.tailscale.com/admin/settings/keys and save it: (umask 077 && cat > $KEY_FILE)" ;;
    *) die "tailscale up failed." "Check: tailscale status; sudo journalctl -u tailscaled -n 30 --no-pager" ;;
  esac
}
STATE=$(tailscale_status_field BackendState || echo NoState)
if [[ $STATE == Stopped ]]; then
  sudo tailscale up   # after `tailscale down`: back online, settings as they were
  STATE=Running
fi
# A re-run changes only the name: `tailscale up` refuses to run without every non-default setting
# made before, e.g. Tailscale SSH (tailscale.com/kb/1241).
# #region slide
if [[ $STATE == Running ]]; then
  sudo tailscale set --hostname="$TS_HOSTNAME"
else
  sudo tailscale up --auth-key="file:$KEY_FILE" \
    --hostname="$TS_HOSTNAME" --timeout=120s || up_failed
fi
# #endregion slide
tailscale ip -4
WAIT_HINT="tailscaled may run in userspace mode: sudo journalctl -u tailscaled -n 30 --no-pager"
wait_until 30 "the tailscale0 interface" test -e "$DEMO_SYSROOT/sys/class/net/tailscale0"
TAILNET_IP=$(tailnet_ip) || die "Tailscale is up but has no IPv4 address." "Check: tailscale status"
DNS_NAME=$(tailscale_status_field DNSName || true)
DNS_NAME=${DNS_NAME%.}
# A name another device still holds gets a suffix (phone-a-1): the other phones would reach that one.
if [[ -n "$DNS_NAME" && "${DNS_NAME%%.*}" != "$TS_HOSTNAME" ]]; then
  die "Tailscale named this phone ${DNS_NAME%%.*} ($DNS_NAME), not $TS_HOSTNAME: another device in the tailnet holds the name $TS_HOSTNAME — another phone, or this phone's earlier VM, logged out but still listed." \
    "Another phone? Pick another name: $0 phone-c. An old device? Remove it at https://login.tailscale.com/admin/machines, rename this phone there to $TS_HOSTNAME (… → Edit machine name), then run this script again"
fi
ok "This phone is $TS_HOSTNAME in the tailnet: $TAILNET_IP${DNS_NAME:+ ($DNS_NAME)}"

case $(k3s_role) in
  server)
    step "Let k3s advertise the tailnet address"
    info "A k3s server runs here: re-running 01-install-k3s.sh keeps its data and adds --node-ip $TAILNET_IP."
    node=$(this_node_name || echo "$TS_HOSTNAME")
    # 01 explains its own failures: end with its exit status, without a second message.
    "$REPO_ROOT/echo-demo/scripts/01-install-k3s.sh" --node-name "$node" </dev/null || exit
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
