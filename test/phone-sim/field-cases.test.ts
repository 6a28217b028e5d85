// The simulated phone world itself: each field case it models, checked with the simulated tools as
// the scripts call them, and where the behaviour is documented. The demo scripts' tests rely on these.
import type { Sim } from '../../tools/phone-sim/index.ts'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AUTH_KEY, createSim, K3S_VERSION } from '../../tools/phone-sim/index.ts'

let sim: Sim
beforeEach(() => {
  sim = createSim()
})
afterEach(() => sim.cleanup())

const SERVER = `curl -sfL https://get.k3s.io | INSTALL_K3S_VERSION=${K3S_VERSION} K3S_TOKEN=abc sh -s - server --node-name phone-a --write-kubeconfig-mode 640 --write-kubeconfig-group droid`
const agent = (cp: string, extra = '') => `curl -sfL https://get.k3s.io | INSTALL_K3S_VERSION=${K3S_VERSION} K3S_URL=https://${cp}:6443 K3S_TOKEN=abc ${extra} sh -s - agent --node-name phone-b --node-ip "$(tailscale ip -4)" --flannel-iface tailscale0`

function twoPhonesOnTailnet() {
  sim.setup('phone-a', 'tailscale', 'server-on-tailnet')
  sim.setup('phone-b', 'tailscale')
  return sim.sh('phone-b', 'tailscale ip -4 phone-a').stdout.trim()
}

describe('the k3s installer (get.k3s.io install.sh; docs.k3s.io/reference/env-variables)', () => {
  it('installs a server that becomes a Ready node; kubectl as droid reads the kubeconfig written for its group', () => {
    const r = sim.sh('phone-a', `${SERVER}\nsleep 10\nkubectl get nodes`)
    expect(r.code, r.output).toBe(0)
    expect(r.stdout).toContain('[INFO]  systemd: Starting k3s')
    expect(r.stdout).toMatch(/phone-a\s+Ready\s+control-plane,master/)
    expect(sim.read('phone-a', '/etc/systemd/system/k3s.service')).toMatch(/Type=notify[\s\S]*TimeoutStartSec=0/)
  })

  it('without --write-kubeconfig-mode the kubeconfig is root-only: "Unable to read"-style permission error for droid', () => {
    const r = sim.sh('phone-a', `curl -sfL https://get.k3s.io | K3S_TOKEN=abc sh -s - server --node-name phone-a >/dev/null\nkubectl get nodes`)
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('error loading config file "/etc/rancher/k3s/k3s.yaml": open /etc/rancher/k3s/k3s.yaml: permission denied')
    expect(sim.sh('phone-a', 'sudo kubectl get nodes').code).toBe(0)
  })

  it('a re-run with the same settings says "No change detected" and does not restart k3s', () => {
    sim.sh('phone-a', SERVER)
    const r = sim.sh('phone-a', SERVER)
    expect(r.stdout).toContain('Skipping binary downloaded, installed k3s matches hash')
    expect(r.stdout).toContain('No change detected so skipping service start')
    expect(r.seconds).toBeLessThan(5)
  })

  it('a different token over an existing server\'s data is fatal (docs.k3s.io/cli/token)', () => {
    sim.sh('phone-a', SERVER)
    const r = sim.sh('phone-a', `${SERVER.replace('K3S_TOKEN=abc', 'K3S_TOKEN=other')} --disable traefik`)
    expect(r.code).not.toBe(0)
    expect(r.stderr).toContain('Job for k3s.service failed')
    expect(sim.sh('phone-a', 'sudo journalctl -u k3s -n 5 --no-pager').stdout).toContain('bootstrap data already found and encrypted with different token')
  })

  it('K3S_URL without K3S_TOKEN is refused', () => {
    const r = sim.sh('phone-b', `curl -sfL https://get.k3s.io | K3S_URL=https://100.64.0.1:6443 sh -s - agent`)
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('K3S_URL is defined, but K3S_TOKEN or K3S_TOKEN_FILE is not defined')
  })

  it('an agent that can never reach the server blocks the installer forever (TimeoutStartSec=0, k3s-io/k3s#11808)', () => {
    const cp = twoPhonesOnTailnet()
    sim.update(w => void (w.tailnet.allow = ['tcp:22']))
    const r = sim.sh('phone-b', agent(cp))
    expect(r.hung).toMatch(/^systemctl restart k3s-agent.service: k3s never gets ready/)
    expect(sim.world().hosts['phone-b'].k3s?.unit.state).toBe('activating')
  })

  it('INSTALL_K3S_SKIP_START=true and systemctl restart --no-block return at once; is-active says activating while k3s waits', () => {
    const cp = twoPhonesOnTailnet()
    sim.update(w => void (w.tailnet.allow = ['tcp:22']))
    const r = sim.sh('phone-b', `${agent(cp, 'INSTALL_K3S_SKIP_START=true')}\nsudo systemctl restart --no-block k3s-agent\nsystemctl is-active k3s-agent || echo "exit $?"`)
    expect(r.hung).toBeNull()
    expect(r.stdout).toMatch(/activating\nexit 3/)
    expect(sim.sh('phone-b', 'sudo journalctl -u k3s-agent -n 3 --no-pager').stdout).toContain('Waiting to retrieve agent configuration')
  })

  it('an agent joins over the tailnet; with UDP 8472 blocked the node is Ready but the overlay is broken (docs.k3s.io/installation/requirements)', () => {
    const cp = twoPhonesOnTailnet()
    sim.update(w => void (w.tailnet.allow = ['tcp:6443', 'tcp:10250', 'tcp:22']))
    expect(sim.sh('phone-b', `${agent(cp)}\nsleep 10`).code).toBe(0)
    const r = sim.sh('phone-a', 'kubectl get nodes --no-headers; ping -c 1 -W 2 10.42.1.0')
    expect(r.stdout).toMatch(/phone-b\s+Ready/)
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('100% packet loss')
    sim.update(w => void (w.tailnet.allow = ['*']))
    expect(sim.sh('phone-a', 'ping -c 1 -W 2 10.42.1.0').code).toBe(0)
  })

  it('with TCP 10250 blocked the API server can\'t reach the other kubelet', () => {
    const cp = twoPhonesOnTailnet()
    sim.update(w => void (w.tailnet.allow = ['tcp:6443', 'udp:8472']))
    sim.sh('phone-b', `${agent(cp)}\nsleep 10`)
    const r = sim.sh('phone-a', 'kubectl get --raw /api/v1/nodes/phone-b/proxy/healthz')
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/dial tcp 100\.[\d.]+:10250: i\/o timeout/)
  })

  it('re-joining under a name that is still registered gets "Node password rejected" and retries forever (docs.k3s.io/architecture)', () => {
    const cp = twoPhonesOnTailnet()
    sim.sh('phone-b', `${agent(cp)}\nsleep 10`)
    sim.sh('phone-b', 'sudo k3s-agent-uninstall.sh >/dev/null')
    const r = sim.sh('phone-b', `${agent(cp, 'INSTALL_K3S_SKIP_START=true')}\nsudo systemctl restart --no-block k3s-agent\nsleep 30\nsudo journalctl -u k3s-agent -n 1 --no-pager; systemctl is-active k3s-agent`)
    expect(r.stdout).toContain('Node password rejected')
    expect(r.stdout.trim().split('\n').at(-1)).toBe('activating')
    sim.sh('phone-a', 'kubectl delete node phone-b')
    expect(sim.sh('phone-b', 'sleep 15\nsystemctl is-active k3s-agent').stdout.trim()).toBe('active')
  })

  it('systemctl refuses a normal user: "Interactive authentication required"', () => {
    sim.sh('phone-a', SERVER)
    const r = sim.sh('phone-a', 'systemctl restart k3s')
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('Interactive authentication required')
  })

  it('k3s check-config reports missing kernel features', () => {
    sim.update(w => void (w.hosts['phone-a'].missingKernelFeatures = ['CONFIG_VXLAN']))
    const r = sim.sh('phone-a', 'sudo k3s check-config', { allowRejections: false })
    expect(r.code).toBe(127)
    sim.sh('phone-a', `${SERVER.replace('server --node-name', 'server --node-name')} || true`)
    const check = sim.sh('phone-a', 'k3s check-config || echo "exit $?"')
    expect(check.stdout).toContain('- CONFIG_VXLAN: missing')
    expect(check.stdout).toContain('exit 1')
  })
})

describe('tailscale (tailscale.com/kb/1080 CLI, kb/1241 tailscale up)', () => {
  beforeEach(() => {
    sim.sh('phone-a', 'curl -fsSL https://tailscale.com/install.sh | sh >/dev/null')
  })

  it('up needs root', () => {
    const r = sim.sh('phone-a', `tailscale up --auth-key=${AUTH_KEY}`)
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('Access denied: prefs write access denied')
  })

  it('up with an auth key from a file names the device; ip -4 and the MagicDNS name follow', () => {
    sim.write('phone-a', '~/key', AUTH_KEY, 0o600)
    const r = sim.sh('phone-a', 'sudo tailscale up --auth-key=file:$HOME/key --hostname=phone-a --timeout=60s\ntailscale ip -4\ntailscale status --json --peers=false')
    expect(r.code, r.output).toBe(0)
    expect(r.stdout).toMatch(/^100\.\d+\.\d+\.\d+$/m)
    expect(r.stdout).toContain('"DNSName": "phone-a.tail1234.ts.net."')
    expect(sim.exists('phone-a', '/sys/class/net/tailscale0')).toBe(true)
  })

  it('a re-run that leaves out a flag set before is refused; tailscale set changes one preference', () => {
    sim.sh('phone-a', `sudo tailscale up --auth-key=${AUTH_KEY} --hostname=phone-a --ssh`)
    const r = sim.sh('phone-a', `sudo tailscale up --auth-key=${AUTH_KEY} --hostname=phone-a`)
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('changing settings via \'tailscale up\' requires mentioning all\nnon-default flags')
    expect(r.stderr).toContain('tailscale up --hostname=phone-a --ssh')
    expect(sim.sh('phone-a', 'sudo tailscale set --ssh=false').code).toBe(0)
    expect(sim.sh('phone-a', `sudo tailscale up --auth-key=${AUTH_KEY} --hostname=phone-a`).code).toBe(0)
  })

  it('a name another device still holds gets a suffix; logout of a non-ephemeral device keeps the name taken', () => {
    sim.update(w => void (w.tailnet.keys['tskey-auth-kept'] = { ephemeral: false, reusable: true, preauthorized: true, used: false, expired: false }))
    sim.sh('phone-a', 'sudo tailscale up --auth-key=tskey-auth-kept --hostname=phone-a\nsudo tailscale logout')
    const r = sim.sh('phone-a', 'sudo tailscale up --auth-key=tskey-auth-kept --hostname=phone-a\ntailscale status --json --peers=false')
    expect(r.stdout).toContain('"DNSName": "phone-a-1.tail1234.ts.net."')
  })

  it('an ephemeral device is gone after logout: the name is free again', () => {
    sim.sh('phone-a', `sudo tailscale up --auth-key=${AUTH_KEY} --hostname=phone-a\nsudo tailscale logout`)
    const r = sim.sh('phone-a', `sudo tailscale up --auth-key=${AUTH_KEY} --hostname=phone-a\ntailscale status --json --peers=false`)
    expect(r.stdout).toContain('"DNSName": "phone-a.tail1234.ts.net."')
  })

  it('without a key up prints a login URL and waits: until --timeout, or forever', () => {
    const timed = sim.sh('phone-a', 'sudo tailscale up --hostname=phone-a --timeout=30s')
    expect(timed.code).toBe(1)
    expect(timed.stderr).toContain('To authenticate, visit:')
    expect(timed.stderr).toContain('timeout waiting for Tailscale service to enter a Running state')
    expect(timed.seconds).toBeGreaterThanOrEqual(30)
    expect(sim.sh('phone-a', 'sudo tailscale up --hostname=phone-a').hung).toMatch(/^tailscale up waits in state NeedsLogin/)
  })

  it('device approval: a key that is not pre-approved waits for an admin (kb/1099)', () => {
    sim.update((w) => {
      w.tailnet.deviceApproval = true
      w.tailnet.keys['tskey-auth-plain'] = { ephemeral: true, reusable: true, preauthorized: false, used: false, expired: false }
    })
    const r = sim.sh('phone-a', 'sudo tailscale up --auth-key=tskey-auth-plain --hostname=phone-a --timeout=20s')
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('To approve your machine, visit (as admin)')
  })

  it('an invalid or used one-off key is refused', () => {
    const r = sim.sh('phone-a', 'sudo tailscale up --auth-key=tskey-auth-wrong --hostname=phone-a')
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('invalid key')
  })

  it('without /dev/net/tun tailscaled runs in userspace mode: no tailscale0', () => {
    sim.update(w => void (w.hosts['phone-a'].tun = false))
    sim.sh('phone-a', `sudo tailscale up --auth-key=${AUTH_KEY} --hostname=phone-a`)
    expect(sim.exists('phone-a', '/sys/class/net/tailscale0')).toBe(false)
  })

  it('an unknown flag is rejected (and fails the test of a script that passes it)', () => {
    expect(() => sim.sh('phone-a', 'sudo tailscale up --auth-kee=x')).toThrow(/flag provided but not defined: -auth-kee/)
  })
})

describe('curl (curl.se/docs/manpage.html: exit codes 6, 7, 22, 28, 60)', () => {
  beforeEach(() => {
    sim.setup('phone-a', 'tailscale', 'server-on-tailnet')
    sim.setup('laptop', 'tailscale')
    sim.sh('phone-a', `kubectl apply -f "$SIM_REPO/echo-demo/manifests/echo.yaml" >/dev/null && kubectl rollout status deployment/echo --timeout=120s >/dev/null`)
  })

  const code = (host: string, command: string) => {
    const r = sim.sh(host, `${command} || echo "exit $?"`)
    return { exit: /exit (\d+)/.exec(r.stdout)?.[1] ?? '0', ...r }
  }

  it('6: an unknown host; 7: nothing listens', () => {
    expect(code('laptop', 'curl -sS --max-time 5 http://phone-x:8081/').exit).toBe('6')
    expect(code('phone-a', 'curl -sS --max-time 5 http://localhost:9999/').exit).toBe('7')
  })

  it('22 with -f on an HTTP error; without -f the error page is the body', () => {
    expect(code('phone-a', 'curl -fsS --max-time 5 "http://localhost:8081/?echo_code=503"').exit).toBe('22')
    const plain = code('phone-a', 'curl -sS --max-time 5 "http://localhost:8081/?echo_code=503"')
    expect(plain.exit).toBe('0')
    expect(plain.stdout).toContain('"environment"')
  })

  it('a ClusterIP answers on a cluster node; from the laptop it is a timeout: --max-time bounds it, without one the kernel takes ~130 s', () => {
    const ip = sim.sh('phone-a', 'kubectl get service echo -o jsonpath={.spec.clusterIP}').stdout
    expect(code('phone-a', `curl -fsS --max-time 5 http://${ip}:8081/`).exit).toBe('0')
    const bounded = code('laptop', `curl -fsS --max-time 5 http://${ip}:8081/`)
    expect(bounded.exit).toBe('28')
    expect(bounded.seconds).toBeLessThanOrEqual(6)
    const unbounded = code('laptop', `curl -fsS http://${ip}:8081/`)
    expect(unbounded.exit).toBe('28')
    expect(unbounded.seconds).toBeGreaterThan(120)
  })

  it('60: the k3s API\'s self-signed certificate without -k; -k answers pong on /ping', () => {
    const ip = sim.sh('phone-a', 'tailscale ip -4').stdout.trim()
    expect(code('laptop', `curl -sS --max-time 5 https://${ip}:6443/ping`).exit).toBe('60')
    expect(code('laptop', `curl -sk --max-time 5 https://${ip}:6443/ping`).stdout).toContain('pong')
  })

  it('a phone asleep (Terminal app closed) drops packets: --connect-timeout', () => {
    sim.update(w => void (w.hosts['phone-a'].awake = false))
    const r = code('laptop', 'curl -sS --connect-timeout 3 http://phone-a:8081/')
    expect(r.exit).toBe('28')
    expect(r.stderr).toContain('Timeout was reached')
  })

  it('an unknown option is rejected like curl does (exit 2)', () => {
    expect(() => sim.sh('phone-a', 'curl --max-tme 5 http://localhost:8081/')).toThrow(/option --max-tme: is unknown/)
  })
})

describe('kubectl (kubernetes.io/docs/reference/kubectl)', () => {
  beforeEach(() => sim.setup('phone-a', 'server'))

  it('NotFound, "no matching resources found", a rollout that times out', () => {
    expect(sim.sh('phone-a', 'kubectl get deployment echo || true').stderr).toContain('Error from server (NotFound): deployments.apps "echo" not found')
    expect(sim.sh('phone-a', 'kubectl wait --for=condition=Ready pod -l app=x --timeout=5s || true').stderr).toContain('error: no matching resources found')
    sim.update(w => void (w.registry = []))
    const r = sim.sh('phone-a', `kubectl apply -f "$SIM_REPO/echo-demo/manifests/echo.yaml" >/dev/null\nkubectl rollout status deployment/echo --timeout=30s || true\nkubectl get pods`)
    expect(r.stderr).toContain('error: timed out waiting for the condition')
    expect(r.stdout).toMatch(/ImagePullBackOff|ErrImagePull/)
  })

  it('a label is not overwritten without --overwrite', () => {
    sim.sh('phone-a', 'kubectl label node phone-a llm=true')
    const r = sim.sh('phone-a', 'kubectl label node phone-a llm=false || true')
    expect(r.stderr).toContain('\'llm\' already has a value (true), and --overwrite is false')
  })

  it('a nodeSelector no node matches leaves the pod Pending with a FailedScheduling event', () => {
    const r = sim.sh('phone-a', `kubectl apply -f "$SIM_REPO/chat-demo/manifests" >/dev/null\nsleep 3\nkubectl get events --field-selector reason=FailedScheduling -o jsonpath='{.items[-1:].message}'`)
    expect(r.stdout).toContain('0/1 nodes are available: 1 node(s) didn\'t match Pod\'s node affinity/selector.')
  })

  it('on the laptop without a kubeconfig kubectl tries localhost:8080', () => {
    sim.update(w => void w.hosts.laptop.programs.push('kubectl'))
    const r = sim.sh('laptop', 'kubectl get nodes || true')
    expect(r.stderr).toContain('The connection to the server localhost:8080 was refused - did you specify the right host or port?')
  })

  it('an unknown flag is rejected', () => {
    expect(() => sim.sh('phone-a', 'kubectl get nodes --bogus')).toThrow(/unknown flag: --bogus/)
  })
})

describe('the VM\'s network as Android\'s Linux Terminal app sets it up', () => {
  it('a tethered /24 on eth0 with Android as the default gateway (not QEMU SLIRP 10.0.2.2); the AI app answers there, not on the VM\'s localhost', () => {
    const r = sim.sh('phone-a', 'ip -4 route show default\ncurl -fsS --max-time 3 http://10.177.99.1:8005/health\ncurl -fsS --max-time 3 http://127.0.0.1:8005/health || echo "exit $?"')
    expect(r.stdout).toContain('default via 10.177.99.1 dev eth0')
    expect(r.stdout).not.toContain('10.0.2.')
    expect(r.stdout).toContain('"status":"healthy"')
    expect(r.stdout).toContain('exit 7')
  })

  it('a socat forwarder listens where its bind option says; ss shows it (socat is not in the VM until installed)', () => {
    expect(sim.sh('phone-a', 'command -v socat || echo missing').stdout).toBe('missing\n')
    sim.update(w => void w.hosts['phone-a'].programs.push('socat'))
    const r = sim.sh('phone-a', 'socat TCP-LISTEN:8005,fork,reuseaddr,bind=127.0.0.1 TCP:10.177.99.1:8005 >/dev/null 2>&1 &\nuntil ss -Hltn "sport = :8005" | grep -q 8005; do sleep 1; done\nss -Hltn "sport = :8005"\ncurl -fsS --max-time 3 http://127.0.0.1:8005/health')
    expect(r.stdout).toContain('127.0.0.1:8005')
    expect(r.stdout).toContain('healthy')
  })
})
