/**
 * A fake phone for the echo-demo script tests: stubs for curl (with the k3s and Tailscale
 * installers behind it), kubectl, systemctl and tailscale that answer like the real tools and
 * keep their state as files in the sandbox's state/ folder, so a test sets up a situation with
 * sb.write('state/…', '') and the stubs change it the way the real tools would.
 *
 * State files:
 *   state/api-down           kubectl can't reach the API server
 *   state/node-never-ready   the node's Ready condition stays False
 *   state/rollout-fails      kubectl rollout status times out
 *   state/no-deployment      there is no deployment echo (kubectl delete creates it)
 *   state/nodes              lines "name internal-ip ready(True|False) roles" for kubectl get nodes
 *   state/ts-up              tailscale is connected (tailscale up creates it, and sys/class/net/tailscale0)
 *   state/agent-never-starts systemctl never reports k3s-agent active
 *   state/k3s-agent-active   systemctl reports k3s-agent active (systemctl restart creates it)
 */
import { type Sandbox } from '../support/shell-harness'

export const TAILNET_IP = '100.101.102.103'
export const CONTROL_PLANE_IP = '100.64.0.1'

/** Writes a file of bash that creates a recording stub — for stubs the installers create. */
const MAKE_STUB = `
mkstub() {
  { printf '#!/bin/bash\\n. "$STUB_SANDBOX/record.sh"\\nstub_record %q "$#" "$@"\\n' "$1"; printf '%s\\n' "$2"; } >"$STUB_SANDBOX/bin/$1"
  chmod +x "$STUB_SANDBOX/bin/$1"
}
`

/** The k3s installer (what \`curl https://get.k3s.io\` returns is a script that execs this stub). */
const K3S_INSTALLER = `${MAKE_STUB}
R="$DEMO_SYSROOT"
role=\${1:-server}
if [[ -n "\${K3S_URL:-}" ]]; then role=agent; fi
echo "[INFO]  Using \${INSTALL_K3S_VERSION:-latest} as release"
mkstub k3s "echo \\"k3s version \${INSTALL_K3S_VERSION:-v0} (stub)\\""
if [[ $role == server ]]; then
  mkdir -p "$R/etc/rancher/k3s" "$R/var/lib/rancher/k3s/server"
  echo "apiVersion: v1" >"$R/etc/rancher/k3s/k3s.yaml"
  chmod 640 "$R/etc/rancher/k3s/k3s.yaml"
  [[ -f "$R/var/lib/rancher/k3s/server/token" ]] || echo "K10hash::server:\${K3S_TOKEN:-random}" >"$R/var/lib/rancher/k3s/server/token"
  mkstub k3s-uninstall.sh 'rm -rf "$DEMO_SYSROOT/etc/rancher" "$DEMO_SYSROOT/var/lib/rancher"; rm -f "$STUB_SANDBOX/bin/k3s" "$STUB_SANDBOX/bin/k3s-uninstall.sh"'
else
  mkdir -p "$R/var/lib/rancher/k3s/agent"
  mkstub k3s-agent-uninstall.sh 'rm -rf "$DEMO_SYSROOT/etc/rancher" "$DEMO_SYSROOT/var/lib/rancher"; rm -f "$STUB_SANDBOX/bin/k3s" "$STUB_SANDBOX/bin/k3s-agent-uninstall.sh"'
fi
svc=k3s; if [[ $role == agent ]]; then svc=k3s-agent; fi
echo "[INFO]  systemd: Starting $svc"
`

/** The Tailscale installer: installs the tailscale stub. */
const TAILSCALE_INSTALLER = `${MAKE_STUB}
mkstub tailscale "$(cat "$STUB_SANDBOX/tailscale-body.sh")"
echo "Installation complete! Log in to start using Tailscale by running: tailscale up"
`

const TAILSCALE = `
S="$STUB_SANDBOX/state"
case "$1" in
  version) echo "1.90.6" ;;
  up)
    for a in "$@"; do case $a in --auth-key=file:*) f=\${a#--auth-key=file:}; [[ -r $f ]] || { echo "cannot read $f" >&2; exit 1; } ;; esac; done
    touch "$S/ts-up"; mkdir -p "$DEMO_SYSROOT/sys/class/net/tailscale0" ;;
  ip)
    [[ -f "$S/ts-up" ]] || { echo "Tailscale is stopped." >&2; exit 1; }
    case "\${3:-}" in
      "") echo "${TAILNET_IP}" ;;
      phone-a | phone-a.*) echo "${CONTROL_PLANE_IP}" ;;
      *) echo "no such host: $3" >&2; exit 1 ;;
    esac ;;
  status)
    [[ -f "$S/ts-up" ]] || { echo "Tailscale is stopped." >&2; exit 1; }
    printf '{\\n\\t"BackendState": "Running",\\n\\t"Self": {\\n\\t\\t"HostName": "phone",\\n\\t\\t"DNSName": "phone-b.tail1234.ts.net.",\\n\\t\\t"TailscaleIPs": ["${TAILNET_IP}"]\\n\\t}\\n}\\n' ;;
  *) echo "tailscale stub: unexpected $*" >&2; exit 64 ;;
esac
`

const SYSTEMCTL = `
S="$STUB_SANDBOX/state"
case "$1 \${2:-}" in
  "restart --no-block" | "start --no-block") [[ -f "$S/agent-never-starts" ]] || touch "$S/k3s-agent-active" ;;
  "is-active --quiet") [[ -f "$S/k3s-agent-active" ]] ;;
  *) echo "systemctl stub: unexpected $*" >&2; exit 64 ;;
esac
`

const KUBECTL = `
S="$STUB_SANDBOX/state"
if [[ -f "$S/api-down" ]]; then
  echo "The connection to the server 127.0.0.1:6443 was refused - did you specify the right host or port?" >&2
  exit 1
fi
nodes() { if [[ -f "$S/nodes" ]]; then cat "$S/nodes"; else echo "phone-a 192.168.1.20 True control-plane,master"; fi; }
args="$*"
case "$args" in
  "get --raw=/readyz"*) echo ok ;;
  "get node "*" -o jsonpath="*)
    if [[ -f "$S/node-never-ready" ]]; then echo False; else echo True; fi ;;
  "get nodes -o wide")
    echo "NAME      STATUS   ROLES                  AGE   VERSION        INTERNAL-IP"
    nodes | while read -r n ip r roles; do
      printf '%-9s %-8s %-22s 5m    v1.34.3+k3s3   %s\\n' "$n" "$([[ $r == True ]] && echo Ready || echo NotReady)" "$roles" "$ip"
    done ;;
  "get nodes --no-headers")
    nodes | while read -r n ip r roles; do echo "$n $([[ $r == True ]] && echo Ready || echo NotReady) $roles 5m v1.34.3+k3s3"; done ;;
  "get nodes -o jsonpath="*) nodes | while read -r n ip r roles; do echo "$n $ip $r"; done ;;
  "get nodes") echo "NAME STATUS ROLES"; nodes | while read -r n ip r roles; do echo "$n Ready $roles"; done ;;
  "apply -f "*) [[ -f "$3" ]] || { echo "error: the path \\"$3\\" does not exist" >&2; exit 1; }
    rm -f "$S/no-deployment" "$S/no-pods"
    echo "deployment.apps/echo created"; echo "service/echo created" ;;
  "rollout status deployment/echo"*)
    if [[ -f "$S/rollout-fails" ]]; then echo "error: timed out waiting for the condition" >&2; exit 1; fi
    echo 'deployment "echo" successfully rolled out' ;;
  "get deployment echo")
    if [[ -f "$S/no-deployment" ]]; then echo 'Error from server (NotFound): deployments.apps "echo" not found' >&2; exit 1; fi
    echo "NAME READY"; echo "echo 2/2" ;;
  "scale deployment/echo --replicas="*) echo "deployment.apps/echo scaled" ;;
  "get pods -l app.kubernetes.io/name=echo -o wide")
    echo "NAME                    READY   STATUS    NODE"
    echo "echo-6d5f7c9b8-abcde    1/1     Running   phone-a"
    echo "echo-6d5f7c9b8-fghij    1/1     Running   phone-b" ;;
  "get pods -l app.kubernetes.io/name=echo -o name")
    [[ -f "$S/no-pods" ]] || { echo "pod/echo-6d5f7c9b8-abcde"; touch "$S/no-pods"; } ;;
  "get pods -l app.kubernetes.io/name=echo -o jsonpath="*) printf 'phone-a\\nphone-b\\nphone-a\\n' ;;
  "get service echo") echo "NAME   TYPE           CLUSTER-IP     EXTERNAL-IP    PORT(S)"; echo "echo   LoadBalancer   10.43.12.34    192.168.1.20   8081:31234/TCP" ;;
  "get service echo -o jsonpath="*) echo "192.168.1.20" ;;
  "delete -f "*) touch "$S/no-deployment"; echo 'deployment.apps "echo" deleted'; echo 'service "echo" deleted' ;;
  *) echo "kubectl stub: unexpected: $args" >&2; exit 64 ;;
esac
`

export interface CurlRoute {
  /** a bash glob for the URL, e.g. 'http://localhost:8081/*' */
  url: string
  /** bash that writes the body to stdout (and may exit with curl's exit code) */
  body: string
}

/** curl: honours -o FILE, answers the first route whose glob matches the URL, else exit 7 (refused). */
export function stubCurl(sb: Sandbox, routes: CurlRoute[] = []): void {
  const all: CurlRoute[] = [
    ...routes,
    { url: 'https://get.k3s.io', body: `printf '#!/bin/sh\\nexec k3s-installer "$@"\\n'` },
    { url: 'https://tailscale.com/install.sh', body: `printf '#!/bin/sh\\nexec tailscale-installer "$@"\\n'` },
  ]
  sb.stub(
    'curl',
    `
url=""; out=""
while (($#)); do
  case $1 in
    -o) out=$2; shift ;;
    http://* | https://*) url=$1 ;;
  esac
  shift
done
if [[ -n "$out" ]]; then exec >"$out"; fi
case "$url" in
${all.map((r) => `  ${r.url.replace(/([ ()&;|<>])/g, '\\$1')}) ${r.body} ;;`).join('\n')}
  *) echo "curl: (7) Failed to connect to $url: Connection refused" >&2; exit 7 ;;
esac
`,
  )
}

/** A phone with the basic tools: sudo and sleep come with the sandbox; adds curl, systemctl, the installers. */
export function fakePhone(sb: Sandbox, opts: { routes?: CurlRoute[]; tailscale?: 'missing' | 'installed' | 'up'; tun?: boolean } = {}): void {
  stubCurl(sb, opts.routes)
  sb.stub('systemctl', SYSTEMCTL)
  sb.stub('k3s-installer', K3S_INSTALLER)
  sb.stub('tailscale-installer', TAILSCALE_INSTALLER)
  sb.write('tailscale-body.sh', TAILSCALE)
  sb.write('state/.keep', '')
  const ts = opts.tailscale ?? 'missing'
  if (ts !== 'missing') sb.stub('tailscale', TAILSCALE)
  if (ts === 'up') {
    sb.write('state/ts-up', '')
    sb.write('root/sys/class/net/tailscale0/operstate', 'unknown\n')
  }
  if (opts.tun ?? true) sb.write('root/dev/net/tun', '')
}

/** kubectl answering like a small healthy cluster (see the state files above). */
export function stubKubectl(sb: Sandbox): void {
  sb.write('state/.keep', '')
  sb.stub('kubectl', KUBECTL)
}

/** Pre-installs k3s as if the installer had run earlier (server or agent). */
export function preinstallK3s(sb: Sandbox, role: 'server' | 'agent', opts: { token?: string; nodeName?: string } = {}): void {
  const script = sb.write('preinstall.sh', 'k3s-installer "$@"\n')
  const env: Record<string, string> = { K3S_TOKEN: opts.token ?? 'abc', INSTALL_K3S_VERSION: 'v1.34.3+k3s3' }
  if (role === 'agent') env.K3S_URL = `https://${CONTROL_PLANE_IP}:6443`
  const r = sb.run(script, [role], { env })
  if (r.code !== 0) throw new Error(`pre-install failed: ${r.output}`)
  const name = opts.nodeName ?? (role === 'server' ? 'phone-a' : 'phone-b')
  sb.write('root/etc/rancher/k3s/config.yaml', `node-name: ${name}\n`)
  sb.resetCalls()
}
