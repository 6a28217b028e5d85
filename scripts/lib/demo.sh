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
#   read_flags FLAG... -- "$@"
#                             for scripts whose only arguments are flags: sets the variable named after a FLAG
#                             given to true (--purge → PURGE; a FLAG may have a short form: -y|--yes);
#                             -h/--help prints the usage, anything else is an error
#   expect_at_most_one_argument "$@"
#                             -h/--help prints the usage; an option, or more than one argument, is an error
#   read_number VAR MIN MAX VALUE [NAME]
#                             sets VAR to VALUE, a whole number from MIN to MAX; else a usage error naming NAME
#                             (default VAR)
#   read_number_argument VAR DEFAULT MIN MAX "$@"
#                             for scripts whose one optional argument is a number: VAR from it (read_number),
#                             else DEFAULT; -h/--help prints the usage
#   require_cmd CMD "hint"    dies with the hint when CMD is not installed
#   wait_until SECONDS "what" CMD [ARGS...]
#                             runs CMD until it succeeds, with a progress line; dies after SECONDS
#                             (set WAIT_HINT to add a hint to that error)
#   confirm "question" [y|n]  asks yes/no; without a terminal it takes the default (n unless given)
#   is_node_name NAME         true for a valid node name (lower-case letters, digits, dashes)
#   require_cluster           dies with a clear reason when kubectl can't reach the cluster, and a hint
#                             for this machine (the control plane phone, or the laptop: FETCH_KUBECONFIG)
#   die_explaining_pods SELECTOR MESSAGE RERUN
#                             after a rollout timed out: what the pods wait for (image pull, memory,
#                             a sleeping phone) and the fix
#   node_is_ready NAME        true when the node's Ready condition is True
#   k3s_role                  prints server, agent or none for this phone
#   record_node_name NAME     records this phone's node name in /etc/rancher/k3s/config.yaml
#   this_node_name            prints the recorded node name (fails when there is none)
#   read_node_argument [NODE] sets NODE from the scripts' optional argument, else this phone's recorded name
#   require_node NAME         dies, listing the nodes, when the cluster has no node NAME
#   tailnet_ip                prints this phone's Tailscale IPv4 (fails without Tailscale/tailscale0)
#   tailscale_status_field F  prints field F of this device's `tailscale status --json` (BackendState, DNSName …)
#   TAILNET_POLICY_HINT       what the tailnet policy must allow between the phones for k3s
#   wait_for_k3s UNIT SECONDS waits until k3s (or k3s-agent) runs; dies at once with the fix when its
#                             journal shows a problem it can't get over, else after SECONDS
#   ECHO_URL                  the echo server's address (this phone, or the phone named by ECHO_HOST)
#   require_echo_server       checks that ECHO_URL answers; dies with what to check when it doesn't
#   new_tally                 sets TALLY to a temporary file for a tally of answers (`… | uniq -c | tee "$TALLY"`),
#                             removed when the script exits (an EXIT trap: for a script without one of its own)
#   read_tally N              after N requests were tallied: warns when some got no answer, dies when none did,
#                             and sets ANSWERS to the number of different answers (pods, nodes)
#
# A command that fails where nothing handles it (no `||`, no `if`) ends the script (set -e); an ERR
# trap first says which: "✗ 03-deploy-echo.sh line 42: kubectl apply -f "$MANIFEST" exited 1".
# die and usage_error end it on purpose, with their own message (exit doesn't fire the trap). So
# call the helpers that exit (die, usage_error, require_*, read_*) directly, never inside $(…):
# there the trap would report their exit a second time. The read_* helpers set variables instead.
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

# errtrace: the ERR trap fires inside functions too, not only at the script's top level.
set -o errtrace
DEMO_SUBSHELL=$BASH_SUBSHELL
trap 'report_failure "$?" "$LINENO" "$BASH_COMMAND" "${PIPESTATUS[*]}"' ERR

# The ERR trap: names the script, the line and the command that failed, with its exit status.
report_failure() {
  local code=$1 line=$2 command=$3 file=${BASH_SOURCE[1]} first text where statuses status failed=0 pipeline=''
  # In a subshell ($(…), a pipeline) stay quiet: the command around it fails next (and is reported
  # then), or handles the failure (`x=$(…) || …`).
  ((BASH_SUBSHELL == DEMO_SUBSHELL)) || return 0
  # A pipeline that failed (pipefail: its last failing command's status); PIPESTATUS is stale after [[ ]].
  read -ra statuses <<<"$4"
  for status in "${statuses[@]}"; do ((status == 0)) || failed=$status; done
  if ((${#statuses[@]} > 1 && failed == code)); then pipeline=" (the pipeline's commands exited $4)"; fi
  first=$line
  if [[ -r $file ]]; then
    mapfile -t text <"$file"
    # $LINENO is a command's last line: go back to its first (lines continued end in \, | or &&).
    while ((first > 1)) && [[ ${text[first - 2]} =~ (\\|\||&&)[[:space:]]*$ ]]; do first=$((first - 1)); done
    # A command over several lines, or a pipeline ($BASH_COMMAND is only its last part): as written.
    if ((first != line)); then
      command=${text[first - 1]%\\}
      command="${command%"${command##*[![:space:]]}"} …"
    elif [[ -n $pipeline ]]; then
      command=${text[first - 1]}
    fi
    command=${command#"${command%%[![:space:]]*}"}
  fi
  ((${#command} <= 120)) || command="${command:0:119}…"
  where="${file##*/} line $first"
  # In a function: which one (and for a helper of this file, where the script called it).
  if [[ $file != "$0" ]]; then
    where="$where (in ${FUNCNAME[1]}, called from ${0##*/} line ${BASH_LINENO[${#BASH_LINENO[@]} - 2]})"
  elif [[ ${FUNCNAME[1]} != main ]]; then
    where="$where (in ${FUNCNAME[1]})"
  fi
  printf '%s ✗  %s: %s exited %s%s%s\n' "$C_RED" "$where" "$command" "$code" "$pipeline" "$C_OFF" >&2
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
  read_flags -- "$@"
}

read_flags() {
  local flags=() flag form arg known
  while [[ $1 != -- ]]; do flags+=("$1"); shift; done
  shift
  for arg in "$@"; do
    case $arg in -h | --help) usage; exit 0 ;; esac
    known=no
    for flag in "${flags[@]}"; do
      for form in ${flag//|/ }; do
        [[ $arg == "$form" ]] || continue
        # --purge → PURGE, --dry-run → DRY_RUN: the flag's long form, in capitals.
        form=${flag##*--}
        form=${form^^}
        printf -v "${form//-/_}" true
        known=yes
      done
    done
    [[ $known == yes ]] || usage_error "unknown argument: $arg"
  done
}

expect_at_most_one_argument() {
  local arg
  for arg in "$@"; do
    case $arg in
      -h | --help) usage; exit 0 ;;
      -*) usage_error "unknown option: $arg" ;;
    esac
  done
  (($# <= 1)) || usage_error "too many arguments: ${*:2}"
}

read_number() {
  local var=$1 min=$2 max=$3 value=$4 name=${5:-$1}
  # At most 9 digits after leading zeros: more would overflow bash's arithmetic.
  if [[ $value =~ ^0*([0-9]{1,9})$ ]] && ((10#${BASH_REMATCH[1]} >= min && 10#${BASH_REMATCH[1]} <= max)); then
    printf -v "$var" '%d' "$((10#${BASH_REMATCH[1]}))"
  else
    usage_error "$name must be a number from $min to $max, not '$value'"
  fi
}

read_number_argument() {
  local var=$1 default=$2 min=$3 max=$4
  shift 4
  case ${1:-} in -h | --help) usage; exit 0 ;; esac
  (($# <= 1)) || usage_error "too many arguments: ${*:2}"
  # An empty argument ('') is a bad number, not the default.
  if (($# == 1)); then read_number "$var" "$min" "$max" "$1"; else read_number "$var" "$min" "$max" "$default"; fi
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
  expect_at_most_one_argument "$@"
  if [[ -n "${1:-}" ]]; then
    is_node_name "$1" || usage_error "'$1' is not a valid node name (a-z, 0-9 and -)"
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
  local ips
  command -v tailscale >/dev/null 2>&1 || return 1
  [[ -e "$DEMO_SYSROOT/sys/class/net/tailscale0" ]] || return 1
  ips=$(tailscale ip -4 2>/dev/null) || return 1
  [[ -n "${ips%%$'\n'*}" ]] || return 1
  printf '%s\n' "${ips%%$'\n'*}"
}

tailscale_status_field() {
  local json found
  json=$(tailscale status --json --peers=false 2>/dev/null) || return 1
  found=$(sed -n "s/^[[:space:]]*\"$1\":[[:space:]]*\"\([^\"]*\)\".*/\1/p" <<<"$json")
  [[ -n "$found" ]] || return 1
  printf '%s\n' "${found%%$'\n'*}"
}

# k3s needs TCP 6443 (API), TCP 10250 (kubelet) and UDP 8472 (flannel VXLAN) between the nodes
# (docs.k3s.io/installation/requirements); the tailnet policy decides what passes between devices.
# shellcheck disable=SC2034
TAILNET_POLICY_HINT='Let the phones reach each other on tcp:6443, tcp:10250 and udp:8472: in the tailnet policy (https://login.tailscale.com/admin/acls) add a grant with "ip": ["tcp:6443", "tcp:10250", "udp:8472"] between them.'

# The last error k3s logged since its unit last started, as "error: …" or "fatal: …" (k3s exits on
# a fatal one; systemd starts it again every 5 s). The journal needs sudo.
k3s_last_error() {
  { sudo journalctl -u "$1" -n 300 --no-pager 2>/dev/null || true; } |
    awk '/Starting k3s v|Lightweight Kubernetes\.\.\./ { last = "" }
      /level=(error|fatal)/ { m = $0; sub(/.*msg="/, "", m); sub(/"[^"]*$/, "", m)
        last = ($0 ~ /level=fatal/ ? "fatal: " : "error: ") m }
      END { print last }'
}

wait_for_k3s() {
  local unit=$1 timeout=$2 waited=0 interval=${DEMO_POLL_SECONDS:-5} error node
  node=$(this_node_name || echo NAME)
  ((interval >= 1)) || interval=1
  info "waiting for $unit to start (up to ${timeout}s) …"
  until systemctl is-active --quiet "$unit"; do
    error=$(k3s_last_error "$unit")
    case $error in
      *"Node password rejected"*)
        die "The cluster already has a node called $node, from an earlier install or another phone (k3s: Node password rejected)." \
          "On the control plane: kubectl delete node $node, then run $0 again — or, if another phone uses that name, join under another: --node-name NAME" ;;
      *"encrypted with different token"*)
        die "k3s refuses K3S_TOKEN: the cluster's data on this phone was created with another token ($error)." \
          "Set K3S_TOKEN to that token, or wipe the cluster and start over: $0 --reinstall" ;;
      *"token CA hash does not match"*)
        die "The control plane rejects K3S_TOKEN ($error)." \
          "Use the control plane's token: K3S_TOKEN=… $0 … (the token 01-install-k3s.sh was run with; default abc)" ;;
      fatal:*)
        die "k3s stops at once: ${error#fatal: }" "${WAIT_HINT:-See why: sudo journalctl -u $unit -n 50 --no-pager}" ;;
    esac
    if ((waited >= timeout)); then
      die "k3s did not start within ${timeout}s${error:+ (last ${error%%: *}: ${error#*: })}." "${WAIT_HINT:-See why: sudo journalctl -u $unit -n 50 --no-pager}"
    fi
    sleep "$interval"
    waited=$((waited + interval))
  done
  ok "$unit is running"
}

# How a computer without k3s (the laptop) gets at the cluster (README: "Reach the phones from the laptop").
FETCH_KUBECONFIG="npm run fetch-kubeconfig -- phone-a, then export KUBECONFIG=~/.kube/k3s-on-phone.yaml"

require_cluster() {
  local role err hint
  role=$(k3s_role)
  if [[ $role == agent ]]; then
    die "This phone is a k3s agent: it has no admin kubeconfig." \
      "Run this script on the control plane phone (phone-a)."
  fi
  if [[ $role == none ]]; then
    require_cmd kubectl "On a phone: install k3s first (./echo-demo/scripts/01-install-k3s.sh). On the laptop: install kubectl (https://kubernetes.io/docs/tasks/tools/), then $FETCH_KUBECONFIG"
  fi
  err=$(kubectl get --raw=/readyz --request-timeout=5s 2>&1) && return 0
  # The hint fits this machine: a phone with the k3s server, or a computer without k3s (the laptop).
  if [[ $role == server ]]; then hint=$(cluster_hint_on_phone "$err"); else hint=$(cluster_hint_off_cluster "$err"); fi
  die "kubectl can't reach the cluster: ${err##*$'\n'}" "$hint"
}

# What to do about kubectl's error $1 on the control plane phone.
cluster_hint_on_phone() {
  case $1 in
    *"Unable to read"* | *"permission denied"*)
      echo "Re-run ./echo-demo/scripts/01-install-k3s.sh: it makes the kubeconfig readable for $(id -un)." ;;
    *Unauthorized* | *"unknown authority"* | *"certificate is valid for"* | *"no such file"* | *"no such host"*)
      if [[ -n ${KUBECONFIG:-} ]]; then
        echo "KUBECONFIG=$KUBECONFIG is not this cluster's kubeconfig: unset KUBECONFIG (k3s's kubectl then reads /etc/rancher/k3s/k3s.yaml)."
      else
        echo "Re-run ./echo-demo/scripts/01-install-k3s.sh: it writes the kubeconfig again."
      fi ;;
    *)
      echo "Is k3s running? Check: sudo systemctl status k3s (it needs a minute after the phone starts; why it doesn't start: sudo journalctl -u k3s -n 50 --no-pager)" ;;
  esac
}

# What to do about kubectl's error $1 on a computer without k3s: the laptop with a fetched kubeconfig.
cluster_hint_off_cluster() {
  local file=${KUBECONFIG:-~/.kube/config}
  case $1 in
    *"localhost:8080"*)
      if [[ -r "$HOME/.kube/k3s-on-phone.yaml" ]]; then
        echo "No k3s here, and kubectl has no kubeconfig. The one you fetched: export KUBECONFIG=~/.kube/k3s-on-phone.yaml"
      else
        echo "No k3s here, and kubectl has no kubeconfig. Fetch the cluster's: $FETCH_KUBECONFIG"
      fi ;;
    *"no such file"*)
      echo "KUBECONFIG names a file that isn't there. Fetch it: $FETCH_KUBECONFIG" ;;
    *Unauthorized* | *"unknown authority"*)
      echo "$file is from an earlier installation of the cluster (k3s was reinstalled since). Fetch it again: npm run fetch-kubeconfig -- phone-a" ;;
    *"certificate is valid for"*)
      echo "$file names the phone by a name its k3s certificate doesn't list; the certificate lists its tailnet IP. npm run fetch-kubeconfig -- phone-a writes that IP." ;;
    *"no such host"*)
      echo "The phone's name doesn't resolve: is this computer in the tailnet (tailscale status)? npm run fetch-kubeconfig -- phone-a writes the phone's IP instead of its name." ;;
    *"i/o timeout"* | *"no route to host"* | *"deadline exceeded"* | *"Timeout"*)
      echo "The phone doesn't answer: is it awake (screen on, Terminal app open) and in the tailnet, and does the tailnet policy let this computer reach it on tcp:6443? Check: tailscale status; tailscale ping phone-a" ;;
    *refused*)
      echo "The phone answers, but nothing listens on port 6443. On phone-a: sudo systemctl status k3s (or ./echo-demo/scripts/02-verify-cluster.sh there)" ;;
    *"permission denied"*)
      echo "kubectl can't read $file: it must be yours (chmod 600 $file)." ;;
    *)
      echo "Check what kubectl says: kubectl get --raw=/readyz (README: Reach the phones from the laptop)" ;;
  esac
}

# After a rollout timed out: what each pod of SELECTOR that isn't ready waits for, then dies with
# MESSAGE and the fix for the likeliest cause (RERUN: the command that carries on, e.g. this script).
die_explaining_pods() {
  local selector=$1 message=$2 rerun=$3 not_ready pods name node image waiting scheduling ready gone why
  local total=0 placed=0 unfit=0 pulling='' pull_failed='' asleep='' other=''
  not_ready=" $(kubectl get nodes --no-headers 2>/dev/null | awk '$2 != "Ready" { printf "%s ", $1 }')"
  pods=$(kubectl get pods -l "$selector" -o jsonpath='{range .items[*]}{.metadata.name}|{.spec.nodeName}|{.spec.containers[0].image}|{.status.containerStatuses[0].state.waiting.reason}|{.status.conditions[?(@.type=="PodScheduled")].message}|{.status.conditions[?(@.type=="Ready")].status}|{.metadata.deletionTimestamp}{"\n"}{end}' 2>/dev/null) || pods=''
  # |, not a tab: read merges empty fields between tabs (IFS white space).
  while IFS='|' read -r name node image waiting scheduling ready gone; do
    [[ -n $name && -z $gone ]] || continue
    total=$((total + 1))
    [[ -z $node ]] || placed=$((placed + 1))
    [[ $ready != True ]] || continue
    why=$(kubectl get events --field-selector "involvedObject.name=$name,type=Warning" \
      -o jsonpath='{range .items[*]}{.message}{"\n"}{end}' 2>/dev/null | tail -n 1) || why=''
    if [[ -z $node ]]; then
      [[ $scheduling != *"Insufficient memory"* ]] || unfit=$((unfit + 1))
      [[ $scheduling == *"Insufficient memory"* ]] || other=${other:-$scheduling}
      warn "$name waits for a node: ${scheduling:-not scheduled yet}"
    elif [[ $not_ready == *" $node "* ]]; then
      asleep=$node
      warn "$name on $node: $node is NotReady"
    elif [[ $waiting == ErrImagePull || $waiting == ImagePullBackOff ]]; then
      pull_failed="$image: ${why:-$waiting}"
      warn "$name on $node: $waiting — ${why:-no pull of $image}"
    elif [[ $waiting == ContainerCreating ]]; then
      pulling=$image
      warn "$name on $node: ContainerCreating${why:+ — $why}"
    else
      warn "$name on $node: ${waiting:-not ready yet}${why:+ — $why}"
    fi
  done <<<"$pods"
  if [[ -n $pull_failed ]]; then
    case $pull_failed in
      *"not found"*) die "$message" "The phones can't pull the image ${pull_failed%%: *}: it isn't in the registry (${pull_failed#*: }). Check the image in echo-demo/manifests/echo.yaml." ;;
      *) die "$message" "The phones can't pull the image ${pull_failed%%: *} (${pull_failed#*: }): a slow or blocked network? k3s retries by itself; run $rerun again when the network is better." ;;
    esac
  elif ((unfit > 0)); then
    die "$message" "$unfit of $total pods don't fit: Insufficient memory (a phone has about 2 GB, most of it taken by k3s). Scale to what fits: ./echo-demo/scripts/05-scale-echo.sh $placed — or close apps on the phones, or add a phone."
  elif [[ -n $asleep ]]; then
    die "$message" "$asleep is NotReady: asleep, or out of the tailnet? Keep its screen on and the Terminal app open; kubectl get nodes shows when it is back."
  elif [[ -n $pulling ]]; then
    die "$message" "The phones are still pulling the image $pulling: that takes a while on slow Wi-Fi, and goes on in the background. Give it a minute, then run $rerun again."
  fi
  die "$message" "${other:+$other — }Why a pod waits: kubectl describe pods -l $selector"
}

# The echo server as Service echo exposes it (echo-demo/manifests/echo.yaml: port 8081): on this
# phone, or on the phone named by ECHO_HOST when a script runs on the laptop.
# shellcheck disable=SC2034
ECHO_URL="http://${ECHO_HOST:-localhost}:8081"

require_echo_server() {
  local code=0 hint _
  step "Is the echo server there?"
  require_cmd curl "Install it: sudo apt install -y curl"
  if [[ -n ${ECHO_HOST:-} && ! $ECHO_HOST =~ ^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$ ]]; then
    die "ECHO_HOST=$ECHO_HOST is not a host name." "Name the phone only, without http:// or a port: ECHO_HOST=phone-a $0"
  fi
  # A pod on a phone that just fell asleep stays behind the Service for a while: a timeout is asked again.
  for _ in 1 2 3; do
    code=0
    curl -s --max-time 5 -o /dev/null "$ECHO_URL/ping" || code=$?
    ((code == 28)) || break
  done
  if ((code == 0)); then
    ok "$ECHO_URL answers"
    return
  fi
  if [[ -z ${ECHO_HOST:-} ]]; then
    case $code in
      7) hint="Is it deployed? ./echo-demo/scripts/03-deploy-echo.sh (on the control plane) — kubectl get service echo must show 8081 and an EXTERNAL-IP, not <pending>." ;;
      28) hint="A pod behind the Service doesn't answer: is every phone awake? kubectl get nodes; kubectl get pods -l app.kubernetes.io/name=echo -o wide" ;;
      *) hint="curl exit code $code: see https://curl.se/docs/manpage.html#EXIT" ;;
    esac
    # No k3s here (the laptop): the echo server is on the phones, not on localhost.
    if [[ $(k3s_role) == none ]]; then
      hint="This computer has no k3s, so nothing of the cluster answers on localhost. Name a phone of the cluster: ECHO_HOST=phone-a $0"
    fi
  else
    case $code in
      6) hint="$ECHO_HOST doesn't resolve here: is this computer in the tailnet with MagicDNS (tailscale status)? Or use the phone's tailnet IP." ;;
      7) hint="$ECHO_HOST answers, but not on port 8081: is the echo server deployed (./echo-demo/scripts/03-deploy-echo.sh on the control plane), and is $ECHO_HOST a phone of the cluster?" ;;
      28) hint="$ECHO_HOST doesn't answer: is it awake (screen on, Terminal app open) and in the tailnet, and does the tailnet policy let this computer reach it on tcp:8081? Check: tailscale ping $ECHO_HOST" ;;
      *) hint="curl exit code $code: see https://curl.se/docs/manpage.html#EXIT" ;;
    esac
  fi
  die "No answer from $ECHO_URL (curl exit code $code)." "$hint"
}

new_tally() {
  TALLY=$(mktemp)
  trap 'rm -f "$TALLY"' EXIT
}

read_tally() {
  if grep -q '(no answer)' "$TALLY"; then
    warn "Some requests got no answer: a pod may be starting or stopping (kubectl get pods -o wide)."
  fi
  ANSWERS=$(grep -vc '(no answer)' "$TALLY" || true)
  ((ANSWERS > 0)) || die "None of the $1 requests got an answer." "Look at the pods: kubectl get pods -l app.kubernetes.io/name=echo -o wide"
}
