# shellcheck shell=bash
# Helpers shared by the demo scripts (echo-demo and chat-demo). Source it, don't run it
# (the directive lets `shellcheck -x` follow it from a script two folders down):
#
#   # shellcheck source-path=SCRIPTDIR/../.. source=scripts/lib/demo.sh
#   source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/scripts/lib/demo.sh"
#
# It sets REPO_ROOT and provides:
#   step "Title"              a step header
#   info / ok / warn "text"   a plain line, a success line, a warning (stderr)
#   die "message" ["hint"]    an error plus what to do about it, exit 1
#   usage                     prints the comment block at the top of the running script
#   usage_error "message"     the error and the usage, exit 2
#   expect_no_arguments "$@"  for scripts without arguments: -h/--help prints the usage, anything else is an error
#   require_cmd CMD "hint"    dies with the hint when CMD is not installed
#   wait_until SECONDS "what" CMD [ARGS...]
#                             runs CMD until it succeeds, with a progress line; dies after SECONDS
#                             (set WAIT_HINT to add a hint to that error)
#   confirm "question" [y|n]  asks yes/no; without a terminal it takes the default (n unless given)
#   is_node_name NAME         true for a valid node name (lower-case letters, digits, dashes)
#   require_cluster           dies with a clear reason when kubectl can't reach the cluster
#   node_is_ready NAME        true when the node's Ready condition is True
#   k3s_role                  prints server, agent or none for this phone
#   record_node_name NAME     records this phone's node name in /etc/rancher/k3s/config.yaml
#   this_node_name            prints the recorded node name (fails when there is none)
#   read_node_argument [NODE] sets NODE from the scripts' optional argument, else this phone's recorded name
#   require_node NAME         dies, listing the nodes, when the cluster has no node NAME
#   tailnet_ip                prints this phone's Tailscale IPv4 (fails without Tailscale/tailscale0)
#   ECHO_URL                  the echo server's address (this phone, or the phone named by ECHO_HOST)
#   require_echo_server       checks that ECHO_URL answers; dies with what to check when it doesn't
#   read_request_count [N]    sets N from the scripts' optional argument (default 10, 1 to 1000)
#
# Colours only when stdout is a terminal and NO_COLOR is unset (https://no-color.org).
# DEMO_SYSROOT (empty on a phone) prefixes system paths so that tests can use a temporary directory.

# shellcheck disable=SC2034 # REPO_ROOT and K3S_VERSION are used by the scripts that source this file
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DEMO_SYSROOT="${DEMO_SYSROOT:-}"

# The k3s release every phone installs (server and agents must match).
# shellcheck disable=SC2034
K3S_VERSION="v1.34.3+k3s3"
# Where the install scripts record this phone's node name (k3s reads this file too).
K3S_NODE_CONFIG="$DEMO_SYSROOT/etc/rancher/k3s/config.yaml"

if [[ -t 1 && -z "${NO_COLOR:-}" ]]; then
  C_BOLD=$'\e[1m' C_DIM=$'\e[2m' C_RED=$'\e[31m' C_GREEN=$'\e[32m' C_YELLOW=$'\e[33m' C_BLUE=$'\e[34m' C_OFF=$'\e[0m'
else
  C_BOLD='' C_DIM='' C_RED='' C_GREEN='' C_YELLOW='' C_BLUE='' C_OFF=''
fi

step() { printf '\n%s==> %s%s\n' "$C_BOLD$C_BLUE" "$*" "$C_OFF"; }
info() { printf '    %s\n' "$*"; }
ok()   { printf '%s ✓  %s%s\n' "$C_GREEN" "$*" "$C_OFF"; }
warn() { printf '%s !  %s%s\n' "$C_YELLOW" "$*" "$C_OFF" >&2; }

die() {
  printf '%s ✗  %s%s\n' "$C_RED" "$1" "$C_OFF" >&2
  if [[ -n "${2:-}" ]]; then printf '    → %s\n' "$2" >&2; fi
  exit 1
}

usage() {
  # The usage text is the script's first comment block (after the #! line).
  awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "$0"
}

usage_error() {
  printf 'error: %s\n\n' "$1" >&2
  usage >&2
  exit 2
}

expect_no_arguments() {
  (($# == 0)) && return 0
  case $1 in
    -h | --help) usage; exit 0 ;;
    *) usage_error "unknown argument: $1" ;;
  esac
}

require_cmd() {
  command -v "$1" >/dev/null 2>&1 || die "'$1' is not installed." "$2"
}

wait_until() {
  local timeout=$1 what=$2 waited=0 interval=${DEMO_POLL_SECONDS:-2}
  ((interval >= 1)) || interval=1
  shift 2
  until "$@" >/dev/null 2>&1; do
    if ((waited >= timeout)); then
      if [[ -t 1 ]]; then printf '\n'; fi
      die "Timed out after ${timeout}s waiting for ${what}." "${WAIT_HINT:-}"
    fi
    if [[ -t 1 ]]; then
      printf '\r    %swaiting for %s … %ss%s ' "$C_DIM" "$what" "$waited" "$C_OFF"
    elif ((waited == 0)); then
      printf '    waiting for %s (up to %ss) …\n' "$what" "$timeout"
    fi
    sleep "$interval"
    waited=$((waited + interval))
  done
  if [[ -t 1 ]] && ((waited > 0)); then printf '\r\e[K'; fi
  ok "$what"
}

confirm() {
  local question=$1 default=${2:-n} answer
  if [[ ! -t 0 ]]; then
    info "$question → $([[ $default == y ]] && echo yes || echo no) (no terminal: the default)"
    [[ $default == y ]]
    return
  fi
  read -r -p "    $question [$([[ $default == y ]] && echo Y/n || echo y/N)] " answer
  case "${answer:-$default}" in
    [yY] | [yY][eE][sS]) return 0 ;;
    *) return 1 ;;
  esac
}

is_node_name() {
  [[ $1 =~ ^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$ ]]
}

node_is_ready() {
  [[ $(kubectl get node "$1" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null) == True ]]
}

k3s_role() {
  if command -v k3s-uninstall.sh >/dev/null 2>&1; then
    echo server
  elif command -v k3s-agent-uninstall.sh >/dev/null 2>&1; then
    echo agent
  else
    echo none
  fi
}

record_node_name() {
  sudo mkdir -p "$(dirname "$K3S_NODE_CONFIG")"
  printf '# Written by the demo scripts (k3s reads this file too).\nnode-name: %s\n' "$1" |
    sudo tee "$K3S_NODE_CONFIG" >/dev/null
  sudo chmod 644 "$K3S_NODE_CONFIG"
}

this_node_name() {
  [[ -r "$K3S_NODE_CONFIG" ]] || return 1
  sed -n 's/^node-name:[[:space:]]*"\{0,1\}\([a-z0-9.-]*\)"\{0,1\}[[:space:]]*$/\1/p' "$K3S_NODE_CONFIG" | grep .
}

read_node_argument() {
  case "${1:-}" in
    -h | --help) usage; exit 0 ;;
    -*) usage_error "unknown option: $1" ;;
  esac
  (($# <= 1)) || usage_error "expected at most one NODE, got $#"
  if [[ -n "${1:-}" ]]; then
    NODE=$1
  elif ! NODE=$(this_node_name); then
    die "This phone's node name isn't recorded (no node-name in $K3S_NODE_CONFIG)." \
      "Name the node: $0 phone-b (kubectl get nodes lists them)"
  fi
}

require_node() {
  if ! kubectl get node "$1" >/dev/null 2>&1; then
    die "There is no node called $1." "The nodes are: $(kubectl get nodes -o jsonpath='{.items[*].metadata.name}')"
  fi
}

tailnet_ip() {
  command -v tailscale >/dev/null 2>&1 || return 1
  [[ -e "$DEMO_SYSROOT/sys/class/net/tailscale0" ]] || return 1
  tailscale ip -4 2>/dev/null | head -n 1 | grep .
}

require_cluster() {
  local role err
  role=$(k3s_role)
  require_cmd kubectl "Install k3s on the control plane first: ./echo-demo/scripts/01-install-k3s.sh"
  if [[ $role == agent ]]; then
    die "This phone is a k3s agent: it has no admin kubeconfig." \
      "Run this script on the control plane phone (phone-a)."
  fi
  if ! err=$(kubectl get --raw=/readyz --request-timeout=5s 2>&1); then
    case "$err" in
      *"Unable to read"* | *"permission denied"*)
        die "kubectl can't read the cluster's kubeconfig (${err##*$'\n'})" \
          "Re-run ./echo-demo/scripts/01-install-k3s.sh: it makes the kubeconfig readable for $(id -un)." ;;
      *)
        die "The cluster isn't reachable: ${err##*$'\n'}" \
          "Is k3s running? Check: sudo systemctl status k3s (no k3s here? run ./echo-demo/scripts/01-install-k3s.sh)" ;;
    esac
  fi
}

# The echo server as Service echo exposes it (echo-demo/manifests/echo.yaml: port 8081): on this
# phone, or on the phone named by ECHO_HOST when a script runs on the laptop.
# shellcheck disable=SC2034
ECHO_URL="http://${ECHO_HOST:-localhost}:8081"

require_echo_server() {
  local code=0 hint
  step "Is the echo server there?"
  require_cmd curl "Install it: sudo apt install -y curl"
  curl -s --max-time 5 -o /dev/null "$ECHO_URL/ping" || code=$?
  if ((code == 0)); then
    ok "$ECHO_URL answers"
    return
  fi
  if [[ "${ECHO_HOST:-localhost}" == localhost ]]; then
    hint="Is it deployed? ./echo-demo/scripts/03-deploy-echo.sh — kubectl get service echo must show 8081 and an EXTERNAL-IP, not <pending>."
  else
    hint="Is this computer in the tailnet (tailscale status), and is $ECHO_HOST a phone of the cluster? On the phone: ./echo-demo/scripts/04-curl.sh"
  fi
  die "No answer from $ECHO_URL (curl exit code $code)." "$hint"
}

read_request_count() {
  N=10
  case $# in
    0) ;;
    1)
      case $1 in
        -h | --help) usage; exit 0 ;;
        *) N=$1 ;;
      esac ;;
    *) usage_error "too many arguments" ;;
  esac
  if ! [[ "$N" =~ ^[0-9]{1,4}$ ]] || ((10#$N < 1 || 10#$N > 1000)); then
    usage_error "N must be a number from 1 to 1000, not '$N'"
  fi
  N=$((10#$N))
}
