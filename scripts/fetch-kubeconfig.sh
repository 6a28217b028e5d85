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

step "Reach $PHONE over ssh"
require_cmd ssh "Install an ssh client: sudo apt-get install -y openssh-client"
require_cmd scp "Install an ssh client: sudo apt-get install -y openssh-client"
# The phone's own answer is the address its k3s certificate was made for.
ip=$(ssh -o BatchMode=yes -o ConnectTimeout=10 "$TARGET" 'tailscale ip -4' 2>/dev/null | head -n 1) ||
  die "Can't run commands on $TARGET over ssh." \
    "Is the laptop in the tailnet (tailscale status), and can it ssh to the phone? See README: Reach the phones from the laptop."
if ! is_tailnet_ip "$ip"; then
  die "$PHONE doesn't report a tailnet address (tailscale ip -4 said: '${ip:-nothing}')." \
    "Run ./echo-demo/scripts/07-setup-tailscale.sh $PHONE on the phone first."
fi
ok "$PHONE is $ip on the tailnet"

step "Copy the kubeconfig"
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
scp -q -o BatchMode=yes "$TARGET:$REMOTE_KUBECONFIG" "$tmp" 2>/dev/null ||
  die "Can't copy $REMOTE_KUBECONFIG from $PHONE." \
    "Is k3s's server installed there? ./echo-demo/scripts/01-install-k3s.sh makes that file readable for $PHONE_USER."
grep -Eq '^[[:space:]]*server: https://' "$tmp" ||
  die "$REMOTE_KUBECONFIG on $PHONE has no 'server: https://…' line: is it a kubeconfig?"
ok "Copied $REMOTE_KUBECONFIG"

step "Point it at $ip"
# #region slide
sed -E "s#^([[:space:]]*server: https://)[^:/]+(:[0-9]+)?#\1$ip\2#" "$tmp" >"$tmp.fixed"
mkdir -p "$(dirname "$OUTPUT")"
install -m 600 "$tmp.fixed" "$OUTPUT"
# #endregion slide
rm -f "$tmp.fixed"
ok "Wrote $OUTPUT ($(grep -Eo 'server: https://[^[:space:]]+' "$OUTPUT" | head -n 1))"

if command -v kubectl >/dev/null 2>&1; then
  step "Ask the cluster"
  if KUBECONFIG="$OUTPUT" kubectl get nodes --request-timeout=10s; then
    ok "kubectl on this laptop reaches the cluster"
  else
    warn "kubectl can't reach https://$ip:6443 yet: is the laptop in the tailnet? (tailscale status)"
  fi
fi
info "Use it: export KUBECONFIG=$OUTPUT"
