#!/usr/bin/env bash
# Usage: 01-install-k3s.sh [--node-name NAME] [--reinstall]
#
# Makes this phone a Kubernetes cluster: installs the pinned k3s server (the control plane) and
# lets you use plain `kubectl` without sudo.
#
#   --node-name NAME  the node's name, default phone-a (every phone VM is called "debian",
#                     so the name is never taken from the hostname)
#   --reinstall       wipe an existing k3s and ALL its data first. Without it you are asked;
#                     without a terminal the existing cluster is kept (and updated in place).
#
# Environment: K3S_TOKEN  the cluster's join token, default "abc" — a short demo token, only
#                         acceptable inside the VPN. Agents (08-join-cluster.sh) need the same.
# If Tailscale is already up, k3s advertises the tailnet address (--node-ip, --flannel-iface).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR/../.. source=scripts/lib/demo.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/scripts/lib/demo.sh"

NODE_NAME=phone-a
NAME_GIVEN=no
REINSTALL=no
while (($#)); do
  case $1 in
    -h | --help) usage; exit 0 ;;
    --node-name) (($# >= 2)) || usage_error "--node-name needs a value"; NODE_NAME=$2; NAME_GIVEN=yes; shift 2 ;;
    --node-name=*) NODE_NAME=${1#*=}; NAME_GIVEN=yes; shift ;;
    --reinstall) REINSTALL=yes; shift ;;
    *) usage_error "unknown argument: $1" ;;
  esac
done
is_node_name "$NODE_NAME" || usage_error "'$NODE_NAME' is not a valid node name (a-z, 0-9 and -)"

TOKEN=${K3S_TOKEN:-abc}
KUBECONFIG_FILE="$DEMO_SYSROOT/etc/rancher/k3s/k3s.yaml"
DATA_DIR="$DEMO_SYSROOT/var/lib/rancher/k3s"

step "Check this phone"
require_cmd curl "Install it: sudo apt install -y curl"
require_cmd sudo "Run this as the normal user (droid), which can use sudo."
[[ $(id -u) -ne 0 ]] || warn "Running as root: run it as your normal user, so that kubectl works for that user."
mem_mb=$(awk '/^MemAvailable:/ { print int($2 / 1024) }' "$DEMO_SYSROOT/proc/meminfo" 2>/dev/null || true)
if [[ -n "$mem_mb" ]] && ((mem_mb < 1000)); then
  warn "Only ${mem_mb} MB of memory are free: a k3s server needs about 1 GB. Close other apps on the phone."
fi
if [[ -n "${KUBECONFIG:-}" && "$KUBECONFIG" != "$KUBECONFIG_FILE" ]]; then
  warn "KUBECONFIG is set to $KUBECONFIG: plain kubectl will use that, not this cluster (unset KUBECONFIG)."
fi
ok "curl and sudo are there"

step "Look for an existing k3s"
k3s_version() {
  local v
  v=$(k3s --version 2>/dev/null) || v=k3s
  printf '%s\n' "${v%%$'\n'*}"
}
case $(k3s_role) in
  none)
    ok "No k3s on this phone yet" ;;
  server)
    info "Found $(k3s_version): a server (control plane) named $(this_node_name || echo '?'),"
    info "with its data in /var/lib/rancher/k3s."
    if [[ $REINSTALL == yes ]] || confirm "Wipe it, with all its data, and install from scratch?"; then
      sudo k3s-uninstall.sh
      ok "Removed the old installation"
    else
      existing=$(sudo cat "$DATA_DIR/server/token" 2>/dev/null || true)
      # The token file holds K10<CA hash>::server:<passphrase>; K3S_TOKEN may be either form.
      if [[ -n "$existing" && "${existing##*:}" != "${TOKEN##*:}" ]]; then
        die "The existing cluster was created with another token than K3S_TOKEN." \
          "Set K3S_TOKEN to that token (sudo cat /var/lib/rancher/k3s/server/token), or wipe the cluster: $0 --reinstall"
      fi
      if old_name=$(this_node_name) && [[ "$old_name" != "$NODE_NAME" ]]; then
        [[ $NAME_GIVEN == no ]] || die "The existing node is called $old_name; renaming it needs a fresh cluster." \
          "Keep the name (leave out --node-name) or start over: $0 --reinstall --node-name $NODE_NAME"
        NODE_NAME=$old_name
      fi
      ok "Keeping the cluster and its data (--reinstall wipes it); the installer updates it in place"
    fi ;;
  agent)
    info "Found $(k3s_version): an agent that joined another cluster."
    if [[ $REINSTALL == yes ]] || confirm "Remove the agent and make this phone a control plane?"; then
      sudo k3s-agent-uninstall.sh
      ok "Removed the agent"
    else
      die "This phone is a k3s agent, not a control plane." "Run ./echo-demo/scripts/10-uninstall-k3s.sh first, or: $0 --reinstall"
    fi ;;
esac

step "Look for Tailscale"
TAILNET_FLAGS=()
if TAILNET_IP=$(tailnet_ip); then
  TAILNET_FLAGS=(--node-ip "$TAILNET_IP" --flannel-iface tailscale0)
  ok "Tailscale is up: k3s will advertise $TAILNET_IP on tailscale0"
else
  info "No Tailscale yet: fine for one phone. 07-setup-tailscale.sh adds it later for a second phone."
fi

step "Install k3s $K3S_VERSION as server $NODE_NAME"
if [[ "$TOKEN" == abc || ${#TOKEN} -lt 16 ]]; then
  warn "The token is short: agents will trust this server without checking its certificate."
  warn "That is only acceptable inside the VPN (Tailscale). Set K3S_TOKEN for anything else."
fi
record_node_name "$NODE_NAME"
# #region slide
curl -sfL https://get.k3s.io |
  INSTALL_K3S_VERSION="$K3S_VERSION" K3S_TOKEN="$TOKEN" \
    INSTALL_K3S_SKIP_START=true sh -s - server \
    --node-name "$NODE_NAME" "${TAILNET_FLAGS[@]}" \
    --write-kubeconfig-mode 640 --write-kubeconfig-group "$(id -gn)"
sudo systemctl restart --no-block k3s
# #endregion slide
ok "k3s is installed"

step "Wait for Kubernetes"
# The installer's own start (systemctl restart) would wait forever for a k3s that never gets ready:
# the unit has no start timeout. So k3s starts in the background and we wait with a limit.
WAIT_HINT="See what k3s says: sudo journalctl -u k3s -n 50 --no-pager (missing kernel features: sudo k3s check-config)"
wait_for_k3s k3s 180
wait_until 120 "k3s to write a kubeconfig you can read" test -r "$KUBECONFIG_FILE"
require_cmd kubectl "k3s links kubectl into /usr/local/bin; is that directory on your PATH?"
wait_until 180 "the API server" kubectl get --raw=/readyz
wait_until 300 "node $NODE_NAME to be Ready" node_is_ready "$NODE_NAME"
kubectl get nodes

step "Done: this phone is a one-node cluster"
info "Plain kubectl works for $(id -un): try kubectl get nodes"
info "Next: ./echo-demo/scripts/02-verify-cluster.sh"
