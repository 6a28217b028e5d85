#!/usr/bin/env bash
# Usage: 10-uninstall-k3s.sh [--yes]
#
# Removes k3s from this phone — the server (control plane) with its cluster data, or the agent —
# using the uninstall script the k3s installer left in /usr/local/bin. Asks first.
#
#   --yes  don't ask (without a terminal and without --yes nothing is removed)
set -euo pipefail
# shellcheck source-path=SCRIPTDIR/../.. source=scripts/lib/demo.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/scripts/lib/demo.sh"

YES=no
while (($#)); do
  case $1 in
    -h | --help) usage; exit 0 ;;
    -y | --yes) YES=yes; shift ;;
    *) usage_error "unknown argument: $1" ;;
  esac
done

step "What is installed?"
ROLE=$(k3s_role)
NODE=$(this_node_name || echo "this phone")
case $ROLE in
  none) ok "k3s is not installed on this phone: nothing to do"; exit 0 ;;
  server) info "A k3s server (control plane, node $NODE): removing it deletes the whole cluster and its data." ;;
  agent) info "A k3s agent (node $NODE)." ;;
esac
require_cmd sudo "Run this as the normal user (droid), which can use sudo."

if [[ $YES != yes ]] && ! confirm "Remove k3s from this phone?"; then
  info "Nothing removed."
  exit 0
fi

step "Remove the k3s $ROLE"
# #region slide
if [[ $ROLE == server ]]; then sudo k3s-uninstall.sh; else sudo k3s-agent-uninstall.sh; fi
# #endregion slide
ok "k3s is gone from this phone"
if [[ $ROLE == agent ]]; then
  info "The control plane still lists $NODE as NotReady: there, run kubectl delete node $NODE"
fi
