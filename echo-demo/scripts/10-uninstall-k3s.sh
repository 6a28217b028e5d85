#!/usr/bin/env bash
# Usage: 10-uninstall-k3s.sh [--yes]
#
# After the talk: removes k3s from this phone — the server (control plane) with its cluster data,
# or the agent — using the uninstall script the k3s installer left in /usr/local/bin, then offers
# to log the phone out of the tailnet (sudo tailscale logout) and to delete the auth key file.
# Asks before each.
#
#   --yes  don't ask: do all of it (without a terminal and without --yes nothing is removed)
#
# Environment: TAILSCALE_KEY_FILE  where 07-setup-tailscale.sh read the key (default .tailscale-key
#                                  in the repository root)
set -euo pipefail
# shellcheck source-path=SCRIPTDIR/../.. source=scripts/lib/demo.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/scripts/lib/demo.sh"

YES=false
read_flags '-y|--yes' -- "$@"

KEY_FILE=${TAILSCALE_KEY_FILE:-$REPO_ROOT/.tailscale-key}
# Ask (or, with --yes, don't).
agree() { [[ $YES == true ]] || confirm "$1"; }

step "What is installed?"
ROLE=$(k3s_role)
NODE=$(this_node_name || echo "this phone")
case $ROLE in
  none) ok "k3s is not installed on this phone" ;;
  server)
    info "A k3s server (control plane, node $NODE): removing it deletes the whole cluster and its data."
    others=$(kubectl get nodes -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}' 2>/dev/null | grep -vxF "$NODE" || true)
    if [[ -n "$others" ]]; then
      info "Also in this cluster: ${others//$'\n'/, }. Their agents would keep trying to reach it: run this script on them too."
    fi ;;
  agent) info "A k3s agent (node $NODE)." ;;
esac
IN_TAILNET=no
if command -v tailscale >/dev/null 2>&1 && [[ $(tailscale_status_field BackendState || true) =~ ^(Running|Stopped|NeedsMachineAuth)$ ]]; then
  IN_TAILNET=yes
  info "In the tailnet as $(tailscale_status_field DNSName || echo "this phone")"
fi
if [[ -f "$KEY_FILE" ]]; then info "The Tailscale auth key is in $KEY_FILE"; fi
require_cmd sudo "Run this as the normal user (droid), which can use sudo: install it with su -c 'apt install -y sudo'."

REMOVE=$ROLE
if [[ $ROLE != none ]] && ! agree "Remove k3s from this phone?"; then REMOVE=none; fi

if [[ $REMOVE != none ]]; then step "Remove the k3s $ROLE"; fi
# #region slide
case $REMOVE in
  server) sudo k3s-uninstall.sh ;;
  agent) sudo k3s-agent-uninstall.sh ;;
esac
# #endregion slide
if [[ $REMOVE != none ]]; then ok "k3s is gone from this phone"; fi
if [[ $REMOVE == agent ]]; then
  info "The control plane still lists $NODE as NotReady: there, run kubectl delete node $NODE"
fi

# A phone that stays in the tailnet keeps its name: a fresh VM would come back as phone-a-1.
if [[ $IN_TAILNET == yes ]] && agree "Log this phone out of the tailnet (sudo tailscale logout)?"; then
  step "Leave the tailnet"
  sudo tailscale logout
  ok "Logged out of the tailnet"
  info "An ephemeral device disappears from the tailnet by itself; a non-ephemeral one stays listed in the admin console (and keeps its name) until you remove it: https://login.tailscale.com/admin/machines"
fi

if [[ -f "$KEY_FILE" ]] && agree "Delete the auth key file $KEY_FILE?"; then
  rm -f -- "$KEY_FILE"
  ok "Deleted $KEY_FILE (the key itself stays valid until it expires or you revoke it: https://login.tailscale.com/admin/settings/keys)"
fi
