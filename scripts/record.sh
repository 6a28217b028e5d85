#!/usr/bin/env bash
# Usage: scripts/record.sh [OPTIONS] SCRIPT [ARGS...]
#        scripts/record.sh [OPTIONS] --shell --name NAME
#
# Runs a demo script and records it as an asciinema v2 cast next to it, e.g.
#   scripts/record.sh echo-demo/scripts/05-scale-echo.sh 3  →  echo-demo/recordings/05-scale-echo.cast
# The cast's header names the host the script ran on and the date. The deck replays casts with
# <CastPlayer src="echo-demo/recordings/05-scale-echo.cast" />.
#
#   --cluster          also record how the cluster's pods and nodes change while the script runs
#                      (NAME.cluster.jsonl next to the cast, replayed by <ClusterView>); needs kubectl
#                      that reaches the cluster (see scripts/fetch-kubeconfig.sh) and jq
#   --ssh HOST         run the script on a phone (e.g. droid@phone-a) over ssh, in its clone of
#                      this repository, and record it here
#   --remote-dir DIR   that clone's directory on the phone (default: k3s-on-phone-demo, in its home)
#   --name NAME        the recording's name (default: the script's name without .sh)
#   --shell            record a shell instead of a script (type `exit` to stop); needs --name
#   -o, --output FILE  write the cast to FILE instead
#   --settle SECONDS   keep recording the cluster this long after the script ends (default 5)
#
# Needs asciinema: sudo apt-get install asciinema (or pipx install asciinema).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR/.. source=scripts/lib/demo.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/scripts/lib/demo.sh"

CLUSTER=false SHELL_MODE=false SSH_HOST='' REMOTE_DIR=k3s-on-phone-demo NAME='' OUTPUT='' SETTLE=5
SCRIPT=''
while (($#)); do
  case $1 in
    -h | --help) usage; exit 0 ;;
    --cluster) CLUSTER=true; shift ;;
    --shell) SHELL_MODE=true; shift ;;
    --ssh | --remote-dir | --name | -o | --output | --settle)
      (($# >= 2)) || usage_error "$1 needs a value"
      case $1 in
        --ssh) SSH_HOST=$2 ;;
        --remote-dir) REMOTE_DIR=$2 ;;
        --name) NAME=$2 ;;
        -o | --output) OUTPUT=$2 ;;
        --settle) SETTLE=$2 ;;
      esac
      shift 2 ;;
    -*) usage_error "unknown option: $1" ;;
    *) SCRIPT=$1; shift; break ;;
  esac
done
ARGS=("$@")

if $SHELL_MODE; then
  [[ -z "$SCRIPT" ]] || usage_error "--shell records a shell: no SCRIPT ($SCRIPT)"
  [[ -n "$NAME" ]] || usage_error "--shell needs --name NAME"
else
  [[ -n "$SCRIPT" ]] || usage_error "SCRIPT is missing (e.g. echo-demo/scripts/03-deploy-echo.sh)"
fi
[[ -z "$NAME" || "$NAME" =~ ^[a-z0-9][a-z0-9._-]*$ ]] || usage_error "--name must be lower-case letters, digits, . _ - (not '$NAME')"
read_number SETTLE 0 999 "$SETTLE" "--settle (seconds)"

step "Check the tools"
require_cmd asciinema "Install it: sudo apt-get install -y asciinema (or: pipx install asciinema)"
if $CLUSTER; then
  require_cmd kubectl "--cluster watches the cluster with kubectl: install it, then scripts/fetch-kubeconfig.sh phone-a"
  require_cmd jq "Install it: sudo apt-get install -y jq"
  kubectl get --raw=/readyz --request-timeout=5s >/dev/null 2>&1 ||
    die "kubectl doesn't reach the cluster, so --cluster would record nothing." \
      "On the laptop: scripts/fetch-kubeconfig.sh phone-a, then export KUBECONFIG as it says."
fi
[[ -z "$SSH_HOST" ]] || require_cmd ssh "Install an ssh client (sudo apt-get install -y openssh-client)"
# (The version is read with a regex, not `| head -n 1`: that can fail with SIGPIPE under pipefail.)
ASCIINEMA_VERSION=''
[[ $(asciinema --version 2>/dev/null) =~ [0-9]+(\.[0-9]+)+ ]] && ASCIINEMA_VERSION=${BASH_REMATCH[0]}
ok "asciinema ${ASCIINEMA_VERSION:-(version unknown)}"

step "What to record"
if $SHELL_MODE; then
  DEMO_DIR="$REPO_ROOT/echo-demo"
  SHOWN="${SHELL:-bash}"
else
  # The script must be one of the demos' scripts (a real file in echo-demo/scripts or chat-demo/scripts).
  script_path=$(realpath -e -- "$SCRIPT" 2>/dev/null || realpath -e -- "$REPO_ROOT/$SCRIPT" 2>/dev/null) ||
    die "No such script: $SCRIPT"
  case "$script_path" in
    "$REPO_ROOT"/echo-demo/scripts/*.sh) DEMO_DIR="$REPO_ROOT/echo-demo" ;;
    "$REPO_ROOT"/chat-demo/scripts/*.sh) DEMO_DIR="$REPO_ROOT/chat-demo" ;;
    *) die "Not a demo script: $SCRIPT" "Record a script from echo-demo/scripts or chat-demo/scripts." ;;
  esac
  SCRIPT_REL=${script_path#"$REPO_ROOT"/}
  NAME=${NAME:-$(basename "$SCRIPT_REL" .sh)}
  SHOWN="./$SCRIPT_REL${ARGS[*]:+ ${ARGS[*]}}"
fi
CAST=${OUTPUT:-$DEMO_DIR/recordings/$NAME.cast}
EVENTS="${CAST%.cast}.cluster.jsonl"
mkdir -p "$(dirname "$CAST")"
if [[ -n "$SSH_HOST" ]]; then
  HOST=${SSH_HOST#*@}
else
  HOST=$(this_node_name 2>/dev/null || uname -n 2>/dev/null || echo unknown)
fi
[[ "$HOST" =~ ^[A-Za-z0-9._-]+$ ]] || HOST=unknown
DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ)
info "$SHOWN on $HOST → ${CAST#"$REPO_ROOT"/}"

# The command asciinema runs (through sh -c): a prompt line showing what runs, then the script
# itself, here or on the phone over ssh.
if $SHELL_MODE; then
  run=("${SHELL:-bash}")
elif [[ -n "$SSH_HOST" ]]; then
  remote=$(printf '%q ' "./$SCRIPT_REL" "${ARGS[@]}")
  run=(ssh -t "$SSH_HOST" "cd $(printf '%q' "$REMOTE_DIR") && $remote")
else
  run=(bash "$script_path" "${ARGS[@]}")
fi
# shellcheck disable=SC2016 # $1 is expanded by the inner bash, not here
COMMAND=$(printf '%q ' bash -c 'printf "\033[34m$\033[0m %s\n" "$1"; shift; cd "$1"; shift; exec "$@"' record "$SHOWN" "$REPO_ROOT" "${run[@]}")

# ClusterView's feed: every change of a node or pod, slimmed to what ClusterView draws (the same fields
# as slimEvent in formats/cluster-events.ts), with the seconds since the recording started.
# shellcheck disable=SC2016 # a jq program, not shell
JQ_SLIM='
def ready: any(.status.conditions[]?; .type == "Ready" and .status == "True");
select(.type == "ADDED" or .type == "MODIFIED" or .type == "DELETED")
| .object as $o
| select($o.metadata.name != null)
| ($o.metadata.labels // {}) as $labels
| if $o.kind == "Node" then
    {type, kind: "Node", name: $o.metadata.name, ready: ($o | ready),
     controlPlane: ($labels | (has("node-role.kubernetes.io/control-plane") or has("node-role.kubernetes.io/master")))}
  elif $o.kind == "Pod" then
    {type, kind: "Pod", namespace: ($o.metadata.namespace // "default"), name: $o.metadata.name}
    + (if $o.spec.nodeName then {node: $o.spec.nodeName} else {} end)
    + (($labels["app.kubernetes.io/name"] // $labels.app) as $app | if $app then {app: $app} else {} end)
    + {phase: ($o.status.phase // "Pending"), ready: ($o | ready), deleting: ($o.metadata.deletionTimestamp != null)}
  else empty end
| [((now - $start) * 1000 | floor) / 1000, .]'

START=${EPOCHREALTIME/,/.}
if $CLUSTER; then
  step "Watch the cluster"
  watch_dir=$(mktemp -d)
  watchers=()
  trap 'kill "${watchers[@]}" 2>/dev/null || true; rm -rf "$watch_dir"' EXIT
  # Each kubectl writes into a named pipe read by its own jq: at the end only kubectl is stopped, and
  # jq still slims what it had written before.
  for what in nodes pods; do
    mkfifo "$watch_dir/$what"
    jq -c --unbuffered --argjson start "$START" "$JQ_SLIM" <"$watch_dir/$what" >>"$watch_dir/events" &
  done
  kubectl get nodes -o json --watch --output-watch-events >"$watch_dir/nodes" 2>>"$watch_dir/errors" &
  watchers+=($!)
  kubectl get pods --all-namespaces -o json --watch --output-watch-events >"$watch_dir/pods" 2>>"$watch_dir/errors" &
  watchers+=($!)
  ok "kubectl watches nodes and pods"
fi

step "Record"
asciinema_flags=(rec --overwrite --quiet --idle-time-limit 2 --title "$NAME: $SHOWN (on $HOST, $DATE)")
major=${ASCIINEMA_VERSION%%.*}
if ((${major:-0} >= 3)); then
  asciinema_flags+=(--output-format asciicast-v2) # asciinema 3 writes v3 by default
fi
asciinema "${asciinema_flags[@]}" --command "$COMMAND" "$CAST" || warn "asciinema ended with an error"

# Put the host and the date into the header: {"version": 2, …} → {"version": 2, …, "host": …, "date": …}
[[ -s "$CAST" ]] || die "asciinema wrote no recording to $CAST."
header=$(head -n 1 "$CAST")
[[ "$header" =~ \"version\":\ ?2[,}] && "$header" == *'}' ]] ||
  die "$CAST is not an asciinema v2 recording (header: ${header:0:80})" "Update asciinema: 2.x, or 3.x with --output-format asciicast-v2."
{
  printf '%s, "host": "%s", "date": "%s"}\n' "${header%\}}" "$HOST" "$DATE"
  tail -n +2 "$CAST"
} >"$CAST.tmp"
mv "$CAST.tmp" "$CAST"
ok "Saved ${CAST#"$REPO_ROOT"/} ($(($(wc -l <"$CAST") - 1)) events)"

if $CLUSTER; then
  step "Save the cluster's changes"
  info "waiting ${SETTLE}s for the last changes (pods still terminating) …"
  sleep "$SETTLE"
  kill "${watchers[@]}" 2>/dev/null || true
  wait || true # the jq processes end when they have read everything
  touch "$watch_dir/events" "$watch_dir/errors"
  {
    jq -cn --arg title "$NAME: $SHOWN" --arg host "$HOST" --arg date "$DATE" \
      '{version: 1, kind: "cluster-events", title: $title, host: $host, date: $date}'
    LC_ALL=C sort -s -t '[' -k 2,2n "$watch_dir/events"
  } >"$EVENTS"
  count=$(wc -l <"$watch_dir/events")
  ((count > 0)) || warn "kubectl reported nothing: $(tail -n 1 "$watch_dir/errors")"
  ok "Saved ${EVENTS#"$REPO_ROOT"/} ($count changes)"
fi
