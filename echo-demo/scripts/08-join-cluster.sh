#!/usr/bin/env bash
# Usage: 08-join-cluster.sh CONTROL_PLANE [--node-name NAME]
#
# Makes this phone a worker (k3s agent) of the cluster whose control plane is CONTROL_PLANE:
# its tailnet name (e.g. phone-a) or tailnet IP. Run 07-setup-tailscale.sh on both phones first.
#
#   --node-name NAME  this phone's node name, default phone-b (must differ from the control plane's)
#
# Environment: K3S_TOKEN  the token the control plane was installed with (default "abc")
#
# Checks first that Tailscale is up and that the control plane answers on port 6443 (the API) and
# 10250 (its kubelet) over the tailnet, then installs the pinned k3s agent with the tailnet address
# and waits — with a timeout — until it runs. Afterwards 09-verify-multi-node.sh on the control
# plane checks the pod network (UDP 8472) between the phones.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR/../.. source=scripts/lib/demo.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/scripts/lib/demo.sh"

CONTROL_PLANE=
NODE_NAME=phone-b
while (($#)); do
  case $1 in
    -h | --help) usage; exit 0 ;;
    --node-name) (($# >= 2)) || usage_error "--node-name needs a value"; NODE_NAME=$2; shift 2 ;;
    --node-name=*) NODE_NAME=${1#*=}; shift ;;
    -*) usage_error "unknown option: $1" ;;
    *)
      [[ -z "$CONTROL_PLANE" ]] || usage_error "too many arguments: $1"
      CONTROL_PLANE=$1; shift ;;
  esac
done
[[ -n "$CONTROL_PLANE" ]] || usage_error "CONTROL_PLANE is missing (e.g. phone-a)"
is_node_name "$NODE_NAME" || usage_error "'$NODE_NAME' is not a valid node name (a-z, 0-9 and -)"
if [[ "$NODE_NAME" == "${CONTROL_PLANE%%.*}" ]]; then
  usage_error "this phone can't be called $NODE_NAME too: that is the control plane (use --node-name phone-b)"
fi

TOKEN=${K3S_TOKEN:-abc}

step "Pre-flight checks"
require_cmd curl "Install it: sudo apt install -y curl"
require_cmd sudo "Run this as the normal user (droid), which can use sudo."
require_cmd tailscale "Set up Tailscale first: ./echo-demo/scripts/07-setup-tailscale.sh $NODE_NAME"
TAILNET_IP=$(tailnet_ip) || die "Tailscale is not connected on this phone (or has no tailscale0)." \
  "Connect it first: ./echo-demo/scripts/07-setup-tailscale.sh $NODE_NAME"
TS_STATE=$(tailscale_status_field BackendState || echo unknown)
[[ $TS_STATE == Running ]] || die "Tailscale is not connected on this phone (state $TS_STATE, e.g. after tailscale down)." \
  "Connect it: ./echo-demo/scripts/07-setup-tailscale.sh $NODE_NAME"
ok "Tailscale is up: this phone is $TAILNET_IP"

case $(k3s_role) in
  server) die "This phone runs the k3s server itself." \
    "To make it a worker, remove the server first: ./echo-demo/scripts/10-uninstall-k3s.sh" ;;
  agent) info "A k3s agent is already installed: the installer updates it." ;;
  none) ;;
esac

if [[ "$CONTROL_PLANE" =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
  CP_IP=$CONTROL_PLANE
else
  CP_IP=$(tailscale ip -4 "$CONTROL_PLANE" 2>/dev/null || true)
  CP_IP=${CP_IP%%$'\n'*}
  [[ -n "$CP_IP" ]] || die "'$CONTROL_PLANE' is not a device in your tailnet." \
    "tailscale status lists them; on the control plane run ./echo-demo/scripts/07-setup-tailscale.sh phone-a"
fi
[[ "$CP_IP" != "$TAILNET_IP" ]] || die "$CONTROL_PLANE is this phone." "Name the control plane phone, e.g. phone-a."

rc=0
curl -sk --max-time 5 -o /dev/null "https://$CP_IP:6443/ping" || rc=$?
case $rc in
  0) ok "The control plane $CONTROL_PLANE ($CP_IP) answers on port 6443" ;;
  7) die "Nothing listens on $CONTROL_PLANE:6443 ($CP_IP): k3s is not running there." \
    "On the control plane: ./echo-demo/scripts/02-verify-cluster.sh (or 01-install-k3s.sh)" ;;
  28) die "$CONTROL_PLANE:6443 ($CP_IP) does not answer within 5 s." \
    "Is the control plane phone awake, with the Terminal app open, and in the tailnet? Check: tailscale ping $CONTROL_PLANE" ;;
  *) die "Can't reach https://$CONTROL_PLANE:6443 ($CP_IP): curl exit code $rc." \
    "Check the tailnet (tailscale status) and k3s on the control plane (sudo systemctl status k3s)" ;;
esac
# The kubelet answers without credentials with 401 Unauthorized: reachable is all we need.
rc=0
curl -sk --max-time 5 -o /dev/null "https://$CP_IP:10250/healthz" || rc=$?
case $rc in
  0) ok "The control plane's kubelet answers on port 10250" ;;
  28) die "$CONTROL_PLANE answers on port 6443 but not on 10250 (its kubelet): the tailnet policy lets only part of what k3s needs through." \
    "$TAILNET_POLICY_HINT" ;;
  *) die "Can't reach the kubelet of $CONTROL_PLANE on port 10250 ($CP_IP): curl exit code $rc." \
    "Is k3s fully up there? On the control plane: ./echo-demo/scripts/02-verify-cluster.sh" ;;
esac

step "Install the k3s agent $K3S_VERSION as $NODE_NAME"
if [[ "$TOKEN" == abc || ${#TOKEN} -lt 16 ]]; then
  warn "The short demo token makes this agent trust the server without checking its certificate:"
  warn "acceptable only inside the VPN."
fi
record_node_name "$NODE_NAME"
# #region slide
curl -sfL https://get.k3s.io |
  INSTALL_K3S_VERSION="$K3S_VERSION" K3S_URL="https://$CP_IP:6443" K3S_TOKEN="$TOKEN" \
    INSTALL_K3S_SKIP_START=true sh -s - agent \
    --node-name "$NODE_NAME" --node-ip "$TAILNET_IP" --flannel-iface tailscale0
sudo systemctl restart --no-block k3s-agent
# #endregion slide

step "Wait for the agent to join"
# An agent that can't register never finishes starting (systemd waits forever): we wait with a limit.
WAIT_HINT="See why: sudo journalctl -u k3s-agent -n 50 --no-pager. Stop the retrying agent with: sudo systemctl stop k3s-agent"
wait_for_k3s k3s-agent 180
ok "This phone is node $NODE_NAME of the cluster"

step "Done"
info "Check on the control plane ($CONTROL_PLANE): ./echo-demo/scripts/09-verify-multi-node.sh"
info "(this phone has no admin kubeconfig, so kubectl works only there)"
