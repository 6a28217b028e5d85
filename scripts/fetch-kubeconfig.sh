#!/usr/bin/env bash
# Usage: scripts/fetch-kubeconfig.sh [OPTIONS] PHONE
#
# Lets this laptop run kubectl against the phones' cluster: copies the kubeconfig of the control
# plane phone PHONE (its Tailscale name, e.g. phone-a) over ssh, and points it at the phone's
# tailnet address instead of 127.0.0.1. Then:
#   export KUBECONFIG=~/.kube/k3s-on-phone.yaml
#   kubectl get nodes
#
#   -o, --output FILE  where to write it (default ~/.kube/k3s-on-phone.yaml; ~/.kube/config is left alone)
#   --user USER        the user on the phone (default droid)
#
# Needs ssh to the phone over Tailscale (README: "Reach the phones from the laptop"). The file holds
# the cluster's admin credentials: it is written readable only by you. The k3s server's certificate
# names the phone's tailnet IP (01-install-k3s.sh sets --node-ip), so the file uses the IP, not the name.
# After k3s is reinstalled on the phone, run it again: the old file's credentials are then Unauthorized.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR/.. source=scripts/lib/demo.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/scripts/lib/demo.sh"

REMOTE_KUBECONFIG=/etc/rancher/k3s/k3s.yaml
OUTPUT="$HOME/.kube/k3s-on-phone.yaml"
PHONE_USER=droid
PHONE=''
while (($#)); do
  case $1 in
    -h | --help) usage; exit 0 ;;
    -o | --output | --user)
      (($# >= 2)) || usage_error "$1 needs a value"
      if [[ $1 == --user ]]; then PHONE_USER=$2; else OUTPUT=$2; fi
      shift 2 ;;
    -*) usage_error "unknown option: $1" ;;
    *)
      [[ -z "$PHONE" ]] || usage_error "too many arguments: $1"
      PHONE=$1; shift ;;
  esac
done
[[ -n "$PHONE" ]] || usage_error "PHONE is missing (the control plane's Tailscale name, e.g. phone-a)"
[[ "$PHONE" =~ ^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$ ]] || usage_error "'$PHONE' is not a host name (e.g. phone-a or phone-a.tailnet-name.ts.net)"
[[ "$PHONE_USER" =~ ^[a-z_][a-z0-9_-]*$ ]] || usage_error "'$PHONE_USER' is not a user name"
TARGET="$PHONE_USER@$PHONE"

# Tailscale hands out addresses from 100.64.0.0/10 (100.64.x.x to 100.127.x.x).
is_tailnet_ip() {
  [[ $1 =~ ^100\.([0-9]{1,3})\.[0-9]{1,3}\.[0-9]{1,3}$ ]] && ((BASH_REMATCH[1] >= 64 && BASH_REMATCH[1] <= 127))
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Why ssh failed, said as what to do (ssh exits 255 for its own errors; its message is the last line).
ssh_failed() {
  local said
  said=$(tail -n 1 "$tmp/ssh-errors")
  case $said in
    *"Could not resolve hostname"*)
      tailscale status >/dev/null 2>&1 ||
        die "$PHONE: this laptop isn't in the tailnet ($said)." \
          "Join it: sudo tailscale up (Tailscale missing? https://tailscale.com/download), then tailscale status lists the phones."
      die "$PHONE is not a name in the tailnet ($said)." \
        "tailscale status lists the phones' names (is MagicDNS on?); on the phone: ./echo-demo/scripts/07-setup-tailscale.sh $PHONE" ;;
    *"timed out"*)
      die "$PHONE doesn't answer over the tailnet ($said)." \
        "Is the phone awake with the Terminal app open, and online in tailscale status? (Not in the list: ./echo-demo/scripts/07-setup-tailscale.sh $PHONE on the phone.)" ;;
    *"Connection refused"*)
      die "Nothing on $PHONE accepts ssh ($said)." \
        "On the phone: sudo apt-get install -y openssh-server, or sudo tailscale set --ssh (README: Reach the phones from the laptop)." ;;
    *"Host key verification failed"*)
      die "This laptop doesn't know $PHONE's ssh host key ($said)." \
        "Connect once by hand and check the key: ssh $TARGET true (a reinstalled VM has a new key: ssh-keygen -R $PHONE first)." ;;
    *"Permission denied"*)
      die "$PHONE refused this laptop's ssh key ($said)." "Authorize it once: ssh-copy-id $TARGET (README: Reach the phones from the laptop)." ;;
    *)
      die "Can't run commands on $TARGET over ssh${said:+ ($said)}." \
        "Is the laptop in the tailnet (tailscale status), and can it ssh to the phone? See README: Reach the phones from the laptop." ;;
  esac
}

step "Reach $PHONE over ssh"
require_cmd ssh "Install an ssh client: sudo apt-get install -y openssh-client"
require_cmd scp "Install an ssh client: sudo apt-get install -y openssh-client"
# The phone's own answer is the address its k3s certificate was made for. All of ssh's output is read
# before it is looked at (`ssh … | head -n 1` can fail with SIGPIPE under pipefail).
answer=$(ssh -o BatchMode=yes -o ConnectTimeout=10 "$TARGET" 'tailscale ip -4' 2>"$tmp/ssh-errors") || {
  code=$?
  ((code == 255)) && ssh_failed
  answer=''
}
ip=${answer%%$'\n'*}
if ! is_tailnet_ip "$ip"; then
  die "$PHONE doesn't report a tailnet address (tailscale ip -4 said: '${ip:-$(tail -n 1 "$tmp/ssh-errors")}')." \
    "Run ./echo-demo/scripts/07-setup-tailscale.sh $PHONE on the phone first."
fi
ok "$PHONE is $ip on the tailnet"

step "Copy the kubeconfig"
if ! scp -q -o BatchMode=yes -o ConnectTimeout=10 "$TARGET:$REMOTE_KUBECONFIG" "$tmp/k3s.yaml" 2>"$tmp/ssh-errors"; then
  case $(tail -n 1 "$tmp/ssh-errors") in
    *"No such file"*)
      die "$PHONE has no $REMOTE_KUBECONFIG: k3s's server isn't installed there." \
        "Is $PHONE the control plane? On it: ./echo-demo/scripts/01-install-k3s.sh (an agent phone has no kubeconfig: name the control plane)." ;;
    *"Permission denied"*)
      die "$REMOTE_KUBECONFIG on $PHONE is readable only by root (k3s was installed without --write-kubeconfig-mode)." \
        "On the phone: ./echo-demo/scripts/01-install-k3s.sh makes it readable for $PHONE_USER (it keeps the cluster)." ;;
    *) ssh_failed ;;
  esac
fi
grep -Eq '^[[:space:]]*server: https://' "$tmp/k3s.yaml" ||
  die "$REMOTE_KUBECONFIG on $PHONE has no 'server: https://…' line: is it a kubeconfig?"
ok "Copied $REMOTE_KUBECONFIG"
# A file from an earlier install of k3s holds credentials that cluster no longer accepts.
if [[ -f "$OUTPUT" ]] && [[ $(grep -E 'client-key-data:' "$OUTPUT" || true) != $(grep -E 'client-key-data:' "$tmp/k3s.yaml") ]]; then
  info "$OUTPUT was from an earlier install of k3s on $PHONE (kubectl with it: Unauthorized): replacing it"
fi

step "Point it at $ip"
# #region slide
sed -E "s#^([[:space:]]*server: https://)[^:/]+(:[0-9]+)?#\1$ip\2#" "$tmp/k3s.yaml" >"$tmp/fixed.yaml"
mkdir -p "$(dirname "$OUTPUT")"
install -m 600 "$tmp/fixed.yaml" "$OUTPUT"
# #endregion slide
ok "Wrote $OUTPUT ($(grep -Eo 'server: https://[^[:space:]]+' "$OUTPUT"))"

if command -v kubectl >/dev/null 2>&1; then
  step "Ask the cluster"
  if KUBECONFIG="$OUTPUT" kubectl get nodes --request-timeout=10s 2>"$tmp/kubectl-errors"; then
    ok "kubectl on this laptop reaches the cluster"
  else
    said=$(tail -n 1 "$tmp/kubectl-errors")
    case $said in
      *Unauthorized*)
        warn "The cluster refuses these credentials ($said): k3s on $PHONE was reinstalled while this was copied? Run this script again." ;;
      *x509*)
        warn "k3s's certificate doesn't name $ip ($said): install k3s on $PHONE after Tailscale (07, then 01-install-k3s.sh: it sets --node-ip)." ;;
      *)
        warn "kubectl can't reach https://$ip:6443 yet ($said): is the laptop in the tailnet (tailscale status), and does the tailnet's policy allow tcp:6443?" ;;
    esac
  fi
fi
info "Use it: export KUBECONFIG=$OUTPUT"
