#!/usr/bin/env bash
# Usage: scripts/check-phone.sh [--peer NAME] [--llm] [--pull]
#
# The pre-flight check: run it on each phone the day before the talk and again on stage.
# One line per thing the demos need — ✓ ready, ✗ not ready, – can't be checked yet — and
# under each line that isn't ready, what to do. It changes nothing unless you ask (--pull).
#
#   --peer NAME  the other phone's tailnet name (default: phone-b on phone-a, phone-a on phone-b)
#   --llm        this is the phone with the AI app: check that the VM reaches it on port 8005
#   --pull       pull the images the manifests name that this phone doesn't have yet
#                (k3s must run here; the pull is slow on conference Wi-Fi: do it the day before)
#
# Exit status: 0 when everything is ready, 1 when something isn't (or can't be checked yet),
# 2 on a bad argument.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR/.. source=scripts/lib/demo.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/scripts/lib/demo.sh"

PEER=''
LLM=no
PULL=no
while (($#)); do
  case $1 in
    -h | --help) usage; exit 0 ;;
    --peer) (($# >= 2)) || usage_error "--peer needs a value"; PEER=$2; shift 2 ;;
    --peer=*) PEER=${1#*=}; shift ;;
    --llm) LLM=yes; shift ;;
    --pull) PULL=yes; shift ;;
    *) usage_error "unknown argument: $1" ;;
  esac
done
[[ -z "$PEER" ]] || is_node_name "$PEER" || usage_error "'$PEER' is not a tailnet name (a-z, 0-9 and -)"

require_cmd curl "Install it: sudo apt install -y curl"
require_cmd jq "Install it: sudo apt install -y jq"

# Free disk k3s, its data and the demo's images need.
MIN_DISK_MB=2000
MANIFESTS=("$REPO_ROOT"/echo-demo/manifests/*.yaml "$REPO_ROOT"/chat-demo/manifests/*.yaml)
NOT_READY=0
NOT_YET=0

# One line each: ready, not ready (and what to do), can't be checked yet (and when it can).
ready() { printf '%s ✓  %s%s\n' "$C_GREEN" "$1" "$C_OFF"; }
not_ready() {
  printf '%s ✗  %s%s\n    → %s\n' "$C_RED" "$1" "$C_OFF" "$2"
  NOT_READY=$((NOT_READY + 1))
}
not_yet() {
  printf '%s –  %s%s\n    → %s\n' "$C_YELLOW" "$1" "$C_OFF" "$2"
  NOT_YET=$((NOT_YET + 1))
}

ROLE=$(k3s_role)
if [[ $ROLE == agent ]]; then K3S_UNIT=k3s-agent; else K3S_UNIT=k3s; fi
K3S_RUNNING=no
if [[ $ROLE != none ]] && systemctl is-active --quiet "$K3S_UNIT"; then K3S_RUNNING=yes; fi
# This phone's name for the hints: the node name the install scripts recorded, if any.
ME=$(this_node_name 2>/dev/null) || ME="phone-a (phone-b on the second phone)"

printf '%sPre-flight check of this phone%s (%s)\n' "$C_BOLD" "$C_OFF" "$(date -u '+%Y-%m-%d %H:%M UTC')"

# --- The VM Android's Terminal app gives us ---------------------------------------------------
mem_total=$(awk '/^MemTotal:/ { print int($2 / 1024) }' "$DEMO_SYSROOT/proc/meminfo")
mem_free=$(awk '/^MemAvailable:/ { print int($2 / 1024) }' "$DEMO_SYSROOT/proc/meminfo")
# A k3s server takes about 1 GB; once k3s runs, the demo's pods need about 300 MB more.
if [[ $K3S_RUNNING == yes ]]; then mem_need=300; else mem_need=1000; fi
if ((mem_free >= mem_need)); then
  ready "Memory: $mem_free MB available of $mem_total MB"
else
  not_ready "Memory: only $mem_free MB available of $mem_total MB (the demo needs about $mem_need MB)" \
    "Quit what else runs in the VM (ps aux --sort=-rss), close other apps, restart the Terminal app; on a 2 GB VM install k3s without traefik and metrics-server (README: Before you start)"
fi

disk_free=$(df -Pm / | awk 'NR == 2 { print $4 }')
if ((disk_free >= MIN_DISK_MB)); then
  ready "Disk: $disk_free MB free"
else
  not_ready "Disk: only $disk_free MB free (k3s and the images need about $MIN_DISK_MB MB)" \
    "Free space: sudo apt-get clean, remove what you don't need; or enlarge the disk in the Terminal app's settings"
fi

if [[ -r "$DEMO_SYSROOT/sys/fs/cgroup/cgroup.controllers" ]] &&
  grep -qw memory "$DEMO_SYSROOT/sys/fs/cgroup/cgroup.controllers"; then
  ready "cgroup v2 with the memory controller"
else
  not_ready "No cgroup v2 with a memory controller (/sys/fs/cgroup/cgroup.controllers): k3s can't limit the pods" \
    "Update Android and the Terminal app (recent Debian images mount cgroup v2), then check again"
fi

if [[ -e "$DEMO_SYSROOT/dev/net/tun" ]]; then
  ready "/dev/net/tun: Tailscale can create tailscale0"
else
  not_ready "No /dev/net/tun: Tailscale would run without tailscale0, which k3s needs" \
    "Try: sudo modprobe tun — if that fails, update Android and the Terminal app"
fi

if [[ $ROLE == none ]]; then
  not_yet "Kernel features and iptables: k3s check-config runs once k3s is installed" \
    "Install k3s (echo-demo/scripts/01-install-k3s.sh on phone-a, 08-join-cluster.sh on phone-b), then check again"
elif config=$(sudo k3s check-config 2>&1); then
  ready "Kernel features and iptables (k3s check-config: pass)"
else
  missing=$(awk -F': ' '/: missing|iptables.*: fail/ { sub(/^- /, "", $1); printf "%s%s", sep, $1; sep = ", " }' <<<"$config")
  not_ready "k3s check-config fails${missing:+: $missing}" \
    "See it all: sudo k3s check-config — this kernel lacks what k3s needs: update Android and the Terminal app"
fi

if [[ $(timedatectl show -p NTPSynchronized --value 2>/dev/null) == yes ]]; then
  ready "Clock synchronised (NTP)"
else
  not_ready "The clock isn't synchronised: certificates and tokens may look expired or not yet valid" \
    "sudo timedatectl set-ntp true, wait a minute, check again (timedatectl status)"
fi

# --- Tailscale, and the other phone over the tailnet -----------------------------------------
status='{}'
if ! command -v tailscale >/dev/null 2>&1; then
  not_ready "Tailscale isn't installed" "./echo-demo/scripts/07-setup-tailscale.sh $ME"
elif ! status=$(tailscale status --json 2>/dev/null); then
  status='{}'
  not_ready "tailscaled isn't running" "sudo systemctl start tailscaled, then check again"
fi
state=$(jq -r '.BackendState // ""' <<<"$status")
name=$(jq -r '.Self.HostName // ""' <<<"$status")
label=$(jq -r '.Self.DNSName // "" | split(".")[0]' <<<"$status")
case $state in
  '') ;;
  Running) ;;
  NeedsMachineAuth) not_ready "Tailscale: this phone waits for an admin to approve it" \
    "Approve it in the admin console (Machines), or use a pre-approved auth key" ;;
  Stopped) not_ready "Tailscale is stopped (tailscale down)" "./echo-demo/scripts/07-setup-tailscale.sh $ME" ;;
  *) not_ready "Tailscale is logged out (state $state)" \
    "./echo-demo/scripts/07-setup-tailscale.sh $ME (with the auth key in .tailscale-key)" ;;
esac
if [[ $state == Running ]]; then
  if [[ $label != "$name" ]]; then
    not_ready "Tailscale: this phone is $label, not $name: another device still holds the name $name" \
      "Remove the old $name in the admin console (Machines), then rename this one to $name there (Edit machine name)"
  else
    ready "Tailscale: this phone is $name ($(jq -r '.Self.TailscaleIPs[0]' <<<"$status"))"
  fi
fi
if [[ -z $PEER ]]; then
  case $name in
    phone-a) PEER=phone-b ;;
    phone-b) PEER=phone-a ;;
  esac
fi

# A TCP port of the other phone: its service answers, or the phone refuses it (nothing listens,
# but the tailnet let it through), or no answer at all (the tailnet policy drops it).
check_port() {
  local port=$1 path=$2 what=$3 rc=0
  curl -sk --max-time 5 -o /dev/null "https://$peer_ip:$port$path" || rc=$?
  case $rc in
    0) ready "$PEER answers on $port/TCP ($what)" ;;
    7) ready "$port/TCP gets through to $PEER (no $what listens there)" ;;
    28) not_ready "$PEER doesn't answer on $port/TCP: the tailnet policy blocks it" \
      "Allow tcp:6443, tcp:10250 and udp:8472 between the phones in the tailnet policy (README: Before you start)" ;;
    *) not_ready "Can't reach $PEER on $port/TCP (curl exit code $rc)" "Check: tailscale status; tailscale ping $PEER" ;;
  esac
}

if [[ $state == Running && -n $PEER ]]; then
  peer=$(jq -c --arg name "$PEER" '[.Peer[]? | select(.DNSName | startswith($name + "."))][0] // {}' <<<"$status")
  peer_ip=$(jq -r '.TailscaleIPs[0] // ""' <<<"$peer")
  if [[ -z $peer_ip ]]; then
    not_ready "$PEER isn't in the tailnet" "On $PEER: ./echo-demo/scripts/07-setup-tailscale.sh $PEER"
  elif [[ $(jq -r '.Online' <<<"$peer") != true ]]; then
    not_ready "$PEER is offline in the tailnet (asleep, or the Terminal app closed)" \
      "Wake $PEER: screen on, on power, the Terminal app open — then check again"
  else
    check_port 6443 /ping "API server"
    check_port 10250 /healthz "kubelet"
    # UDP can't be probed from outside: the pod network (flannel's VXLAN on 8472) works when the
    # other node's flannel address — the network address of its podCIDR — answers a ping.
    mapfile -t flannel < <(ip -4 route show dev flannel.1 2>/dev/null | awk '$2 == "via" { print $3 }')
    if ((${#flannel[@]} == 0)); then
      not_yet "8472/UDP (pod network): can't be checked before both phones are in the cluster" \
        "After 08-join-cluster.sh on phone-b, run this again"
    elif ping -c 1 -W 3 "${flannel[0]}" >/dev/null 2>&1; then
      ready "8472/UDP: the pod network reaches $PEER (${flannel[0]} answers ping)"
    else
      not_ready "8472/UDP: the pod network doesn't reach $PEER (${flannel[0]} doesn't answer ping)" \
        "Allow udp:8472 between the phones in the tailnet policy (README: Before you start)"
    fi
  fi
elif [[ $state == Running ]]; then
  not_ready "Which phone is the other one?" "Name it: $0 --peer NAME"
fi

# --- The images every manifest names, already on this phone -----------------------------------
mapfile -t images < <(awk '$1 == "image:" { print $2 } $1 == "-" && $2 == "image:" { print $3 }' "${MANIFESTS[@]}" | tr -d '"'\' | sort -u)
if [[ $K3S_RUNNING == no ]]; then
  not_yet "Images (${images[*]}): k3s must run here to check them" \
    "Start k3s (sudo systemctl start $K3S_UNIT, or install it), then: $0 --pull"
else
  missing=()
  for image in "${images[@]}"; do
    sudo k3s crictl inspecti "$image" >/dev/null 2>&1 || missing+=("$image")
  done
  if [[ $PULL == yes ]]; then
    for image in "${missing[@]}"; do
      info "pulling $image …"
      sudo k3s crictl pull "$image" >/dev/null || true
    done
    still=()
    for image in "${missing[@]}"; do
      sudo k3s crictl inspecti "$image" >/dev/null 2>&1 || still+=("$image")
    done
    missing=("${still[@]}")
  fi
  if ((${#missing[@]} == 0)); then
    ready "Images: all ${#images[@]} the manifests name are on this phone"
  elif [[ $PULL == yes ]]; then
    not_ready "Images: couldn't pull ${missing[*]}" "Check the Wi-Fi and the image names, then: $0 --pull"
  else
    not_ready "Images: ${#missing[@]} of ${#images[@]} not pulled yet (${missing[*]})" \
      "Pull them now, while the Wi-Fi is good: $0 --pull"
  fi
fi

# --- The AI app (only on the LLM phone) ---------------------------------------------------------
if [[ $LLM == yes ]]; then
  gateway=$(ip -4 route show default | awk '{ print $3 }')
  if curl -fs --max-time 3 -o /dev/null http://127.0.0.1:8005/health; then
    ready "The AI app answers at localhost:8005"
  elif [[ -n $gateway ]] && curl -fs --max-time 3 -o /dev/null "http://$gateway:8005/health"; then
    not_ready "The AI app answers at $gateway:8005 (Android), not at localhost:8005 where the chat looks" \
      "Bridge it: chat-demo/scripts/04-check-llm.sh --forward"
  else
    not_ready "The AI app doesn't answer on port 8005" \
      "Open the AI app on this phone and start its server, then: chat-demo/scripts/04-check-llm.sh"
  fi
fi

# --- Summary ------------------------------------------------------------------------------------
if ((NOT_READY + NOT_YET == 0)); then
  printf '\n%sReady.%s\n' "$C_BOLD$C_GREEN" "$C_OFF"
  exit 0
fi
printf '\n%sNot ready:%s %s to fix, %s to check later.\n' "$C_BOLD$C_RED" "$C_OFF" "$NOT_READY" "$NOT_YET"
exit 1
