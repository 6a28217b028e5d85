// The echo demo's workload scripts (02–06) on the simulated phones and on the laptop (the rules every
// script follows are in test/scripts/rules.test.ts). The scripts run for real; kubectl, curl, k3s … are the simulation's.
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { createSim, type RunResult, type Sim, type World } from '../../tools/phone-sim/index.ts'

const script = (name: string) => `echo-demo/scripts/${name}`
const LAPTOP_KUBECONFIG = '~/.kube/k3s-on-phone.yaml'

// A scene runs the real installers and scripts: every simulated call is a process, slow on a loaded machine.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 })

let sim: Sim

// --- what the world holds ---
const echoPods = (w: World = sim.world()) => (w.cluster?.objects ?? []).filter((o) => o.kind === 'Pod' && o.metadata.labels?.['app.kubernetes.io/name'] === 'echo')
const readyEchoPods = () => echoPods().filter((p) => (p.status?.conditions as Array<{ type: string; status: string }> | undefined)?.some((c) => c.type === 'Ready' && c.status === 'True'))
const nodeOf = (pod: ReturnType<typeof echoPods>[number]) => (pod.spec as { nodeName?: string }).nodeName
const echoObjects = () => (sim.world().cluster?.objects ?? []).filter((o) => ['Deployment', 'Service'].includes(o.kind) && o.metadata.name === 'echo')
const tailnetIp = (host: string) => sim.world().tailnet.devices.find((d) => d.host === host)!.ip
/** the "  5 phone-a" lines of a tally, as "5 phone-a" */
const tally = (r: RunResult) => r.stdout.split('\n').filter((l) => /^\s+\d+ \S/.test(l)).map((l) => l.trim())

// --- scenes ---
/** phone-a as a fresh control plane, without Tailscale (the one-phone demo) */
const onePhone = () => sim.setup('phone-a', 'server')
/** phone-a and phone-b in the tailnet, phone-b joined as an agent, the laptop in the tailnet */
const twoPhones = () => {
  sim.setup('phone-a', 'tailscale', 'server-on-tailnet')
  sim.setup('phone-b', 'tailscale', 'agent')
  sim.setup('laptop', 'tailscale')
}
const deployEcho = (host = 'phone-a') => {
  const r = sim.run(host, script('03-deploy-echo.sh'))
  expect(r.code, r.output).toBe(0)
  sim.resetCalls()
}
/** the laptop with a kubectl of its own and the kubeconfig fetched as the README says */
const laptopWithKubectl = () => {
  sim.update((w) => {
    w.hosts.laptop.programs.push('kubectl')
    w.hosts['phone-a'].tailscale.prefs['--ssh'] = 'true'
  })
  const r = sim.run('laptop', 'scripts/fetch-kubeconfig.sh', ['phone-a'])
  expect(r.code, r.output).toBe(0)
  sim.resetCalls()
}
const kubeconfigEnv = (file = LAPTOP_KUBECONFIG) => ({ KUBECONFIG: sim.path('laptop', file) })
const sleepFor = (host: string, seconds: number) => {
  sim.update((w) => void (w.hosts[host].awake = false))
  sim.wait(seconds)
}

beforeEach(() => {
  sim = createSim()
})
afterEach(() => sim.cleanup())

describe('02-verify-cluster.sh', () => {
  describe('on a phone', () => {
    test('shows the control plane Ready', () => {
      onePhone()
      const r = sim.run('phone-a', script('02-verify-cluster.sh'))
      expect(r.code, r.output).toBe(0)
      expect(r.stdout).toMatch(/^phone-a\s+Ready\s+control-plane/m)
      expect(r.stdout).toContain('Every node is Ready')
    })

    test('colours in a terminal, none with NO_COLOR, none when piped', async () => {
      onePhone()
      const coloured = await sim.runTty('phone-a', script('02-verify-cluster.sh'))
      expect(coloured.code, coloured.output).toBe(0)
      expect(coloured.output).toContain('\x1b[1m\x1b[34m==> The nodes')
      const plain = await sim.runTty('phone-a', script('02-verify-cluster.sh'), [], { env: { NO_COLOR: '1' } })
      expect(plain.code).toBe(0)
      expect(plain.output).not.toContain('\x1b[')
      expect(sim.run('phone-a', script('02-verify-cluster.sh')).output).not.toContain('\x1b[')
    })

    test('on a fresh phone (no k3s, so no kubectl) it points to 01-install-k3s.sh', () => {
      const r = sim.run('phone-a', script('02-verify-cluster.sh'))
      expect(r.code).toBe(1)
      expect(r.stderr).toContain("'kubectl' is not installed")
      expect(r.stderr).toContain('./echo-demo/scripts/01-install-k3s.sh')
    })

    test('with k3s stopped it says to look at the k3s service', () => {
      onePhone()
      expect(sim.sh('phone-a', 'sudo systemctl stop k3s').code).toBe(0)
      const r = sim.run('phone-a', script('02-verify-cluster.sh'))
      expect(r.code).toBe(1)
      expect(r.stderr).toContain('connection to the server 127.0.0.1:6443 was refused')
      expect(r.stderr).toContain('sudo systemctl status k3s')
      expect(r.stderr).not.toContain('fetch-kubeconfig')
    })

    test('a KUBECONFIG from an earlier cluster on the phone: unset it', () => {
      onePhone()
      sim.write('phone-a', '~/old.yaml', sim.read('phone-a', '/etc/rancher/k3s/k3s.yaml').replace(/client-key-data: .*/, 'client-key-data: b2xk'))
      const r = sim.run('phone-a', script('02-verify-cluster.sh'), [], { env: { KUBECONFIG: sim.path('phone-a', '~/old.yaml') } })
      expect(r.code).toBe(1)
      expect(r.stderr).toContain('Unauthorized')
      expect(r.stderr).toContain('unset KUBECONFIG')
    })

    test('on the agent phone it says to run it on the control plane, without asking kubectl', () => {
      twoPhones()
      const r = sim.run('phone-b', script('02-verify-cluster.sh'))
      expect(r.code).toBe(1)
      expect(r.stderr).toContain('This phone is a k3s agent')
      expect(r.stderr).toContain('control plane')
      expect(sim.calls('kubectl')).toEqual([])
    })

    test('a second phone that fell asleep is NotReady, with what to do about it', () => {
      twoPhones()
      sleepFor('phone-b', 60)
      const r = sim.run('phone-a', script('02-verify-cluster.sh'))
      expect(r.code, r.output).toBe(0)
      expect(r.stdout).toMatch(/^phone-b\s+NotReady/m)
      expect(r.stderr).toContain('Not Ready: phone-b')
      expect(r.stderr).toMatch(/awake|screen on/)
    })
  })

  describe('on the laptop', () => {
    beforeEach(() => {
      twoPhones()
    })

    test('with the fetched kubeconfig it shows both phones', () => {
      laptopWithKubectl()
      const r = sim.run('laptop', script('02-verify-cluster.sh'), [], { env: kubeconfigEnv() })
      expect(r.code, r.output).toBe(0)
      expect(r.stdout).toMatch(new RegExp(`^phone-a\\s+Ready\\s+control-plane.*${tailnetIp('phone-a')}`, 'm'))
      expect(r.stdout).toMatch(new RegExp(`^phone-b\\s+Ready.*${tailnetIp('phone-b')}`, 'm'))
    })

    test('without kubectl it says how to get it and the kubeconfig, not only how to install k3s', () => {
      const r = sim.run('laptop', script('02-verify-cluster.sh'))
      expect(r.code).toBe(1)
      expect(r.stderr).toContain("'kubectl' is not installed")
      expect(r.stderr).toContain('npm run fetch-kubeconfig -- phone-a')
    })

    test('without a kubeconfig it says to fetch one, not to check a k3s service the laptop has not got', () => {
      sim.update((w) => void w.hosts.laptop.programs.push('kubectl'))
      const r = sim.run('laptop', script('02-verify-cluster.sh'))
      expect(r.code).toBe(1)
      expect(r.stderr).toContain('localhost:8080 was refused')
      expect(r.stderr).toContain('npm run fetch-kubeconfig -- phone-a')
      expect(r.stderr).toContain('export KUBECONFIG=~/.kube/k3s-on-phone.yaml')
      expect(r.stderr).not.toContain('systemctl')
      expect(r.stderr).not.toContain('01-install-k3s.sh')
    })

    test('with the kubeconfig fetched but KUBECONFIG not set it says to export it', () => {
      laptopWithKubectl()
      const r = sim.run('laptop', script('02-verify-cluster.sh'))
      expect(r.code).toBe(1)
      expect(r.stderr).toContain('export KUBECONFIG=~/.kube/k3s-on-phone.yaml')
      expect(r.stderr).not.toContain('systemctl')
    })

    test('KUBECONFIG naming a missing file: fetch it', () => {
      sim.update((w) => void w.hosts.laptop.programs.push('kubectl'))
      const r = sim.run('laptop', script('02-verify-cluster.sh'), [], { env: kubeconfigEnv('~/.kube/nothing.yaml') })
      expect(r.code).toBe(1)
      expect(r.stderr).toContain('no such file or directory')
      expect(r.stderr).toContain('npm run fetch-kubeconfig -- phone-a')
    })

    test('a kubeconfig from before the cluster was reinstalled: fetch it again', () => {
      laptopWithKubectl()
      const reinstall = sim.sh('phone-a', 'sudo k3s-uninstall.sh >/dev/null')
      expect(reinstall.code, reinstall.output).toBe(0)
      sim.setup('phone-a', 'server-on-tailnet')
      const r = sim.run('laptop', script('02-verify-cluster.sh'), [], { env: kubeconfigEnv() })
      expect(r.code).toBe(1)
      expect(r.stderr).toMatch(/certificate signed by unknown authority|Unauthorized/)
      expect(r.stderr).toContain('earlier installation')
      expect(r.stderr).toContain('npm run fetch-kubeconfig -- phone-a')
      expect(r.stderr).not.toContain('systemctl')
    })

    test("a kubeconfig whose credentials the cluster doesn't know (Unauthorized): fetch it again", () => {
      laptopWithKubectl()
      sim.write('laptop', '~/.kube/other.yaml', sim.read('laptop', LAPTOP_KUBECONFIG).replace(/client-key-data: .*/, 'client-key-data: b3RoZXI='))
      const r = sim.run('laptop', script('02-verify-cluster.sh'), [], { env: kubeconfigEnv('~/.kube/other.yaml') })
      expect(r.code).toBe(1)
      expect(r.stderr).toContain('Unauthorized')
      expect(r.stderr).toContain('npm run fetch-kubeconfig -- phone-a')
    })

    test('the control plane asleep: i/o timeout after 5 s, and a hint to wake it', () => {
      laptopWithKubectl()
      sleepFor('phone-a', 5)
      const r = sim.run('laptop', script('02-verify-cluster.sh'), [], { env: kubeconfigEnv() })
      expect(r.code).toBe(1)
      expect(r.stderr).toContain('i/o timeout')
      expect(r.stderr).toMatch(/awake/)
      expect(r.stderr).toContain('tailscale ping phone-a')
      expect(r.stderr).not.toContain('systemctl')
      expect(r.seconds).toBeLessThanOrEqual(10)
    })

    test('a tailnet policy that lets only the phones talk: the timeout names the policy too', () => {
      laptopWithKubectl()
      sim.update((w) => void (w.tailnet.allow = ['tcp:10250', 'udp:8472']))
      const r = sim.run('laptop', script('02-verify-cluster.sh'), [], { env: kubeconfigEnv() })
      expect(r.code).toBe(1)
      expect(r.stderr).toContain('i/o timeout')
      expect(r.stderr).toContain('tailnet policy')
      expect(r.stderr).toContain('tcp:6443')
    })

    test('a kubeconfig naming the phone by name: the certificate names the IP', () => {
      laptopWithKubectl()
      sim.write('laptop', '~/.kube/by-name.yaml', sim.read('laptop', LAPTOP_KUBECONFIG).replace(/server: .*/, 'server: https://phone-a:6443'))
      const r = sim.run('laptop', script('02-verify-cluster.sh'), [], { env: kubeconfigEnv('~/.kube/by-name.yaml') })
      expect(r.code).toBe(1)
      expect(r.stderr).toContain('x509: certificate is valid for')
      expect(r.stderr).toContain('tailnet IP')
      expect(r.stderr).toContain('npm run fetch-kubeconfig -- phone-a')
    })

    test('k3s stopped on the control plane: the phone answers, k3s does not — look there', () => {
      laptopWithKubectl()
      expect(sim.sh('phone-a', 'sudo systemctl stop k3s').code).toBe(0)
      const r = sim.run('laptop', script('02-verify-cluster.sh'), [], { env: kubeconfigEnv() })
      expect(r.code).toBe(1)
      expect(r.stderr).toContain('refused')
      expect(r.stderr).toContain('On phone-a')
      expect(r.stderr).toContain('sudo systemctl status k3s')
    })
  })
})

describe('03-deploy-echo.sh', () => {
  test('deploys two ready pods and the Service on port 8081 of the phone', () => {
    onePhone()
    const r = sim.run('phone-a', script('03-deploy-echo.sh'))
    expect(r.code, r.output).toBe(0)
    expect(r.stdout).toContain('deployment "echo" successfully rolled out')
    expect(readyEchoPods().map(nodeOf)).toEqual(['phone-a', 'phone-a'])
    expect(r.stdout).toMatch(/^echo\s+LoadBalancer\s+\S+\s+10\.177\.99\.12\s+8081:\d+\/TCP/m)
    expect(r.stdout).toContain('./echo-demo/scripts/04-curl.sh')
  })

  test('a re-run changes nothing and says so', () => {
    onePhone()
    deployEcho()
    const before = echoPods().map((p) => p.metadata.name)
    const r = sim.run('phone-a', script('03-deploy-echo.sh'))
    expect(r.code, r.output).toBe(0)
    expect(r.stdout).toContain('deployment.apps/echo unchanged')
    expect(r.stdout).toContain('service/echo unchanged')
    expect(echoPods().map((p) => p.metadata.name)).toEqual(before)
  })

  test('on two phones the pods land on both', () => {
    twoPhones()
    const r = sim.run('phone-a', script('03-deploy-echo.sh'))
    expect(r.code, r.output).toBe(0)
    expect(readyEchoPods().map(nodeOf).sort()).toEqual(['phone-a', 'phone-b'])
  })

  test('from the laptop it deploys, and says to name a phone with ECHO_HOST', () => {
    twoPhones()
    laptopWithKubectl()
    const r = sim.run('laptop', script('03-deploy-echo.sh'), [], { env: kubeconfigEnv() })
    expect(r.code, r.output).toBe(0)
    expect(readyEchoPods()).toHaveLength(2)
    expect(r.stdout).toContain('ECHO_HOST=phone-a ./echo-demo/scripts/04-curl.sh')
  })

  test('slow conference Wi-Fi: the rollout times out, explained as a pull still going on; a re-run a minute later finishes it', () => {
    onePhone()
    sim.update((w) => void (w.networkSlowdown = 20))
    const r = sim.run('phone-a', script('03-deploy-echo.sh'))
    expect(r.code).toBe(1)
    expect(r.seconds).toBeLessThanOrEqual(200)
    expect(r.stderr).toContain('still pulling the image ealen/echo-server:0.9.2')
    expect(r.stderr).toContain('run ./echo-demo/scripts/03-deploy-echo.sh again')
    sim.wait(60)
    const again = sim.run('phone-a', script('03-deploy-echo.sh'))
    expect(again.code, again.output).toBe(0)
    expect(readyEchoPods()).toHaveLength(2)
  })

  test('an image the registry does not have: what the pods say, and no advice to wait', () => {
    onePhone()
    sim.update((w) => void (w.registry = w.registry.filter((i) => !i.startsWith('ealen/'))))
    const r = sim.run('phone-a', script('03-deploy-echo.sh'))
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/ImagePullBackOff|ErrImagePull/)
    expect(r.stderr).toContain("can't pull the image ealen/echo-server:0.9.2")
    expect(r.stderr).toContain('not found')
    expect(r.stderr).not.toContain('again')
  })

  test('EXTERNAL-IP stays <pending> when another Service holds port 8081: it names that Service', () => {
    onePhone()
    const other = sim.sh('phone-a', `kubectl apply -f - >/dev/null <<'EOF'
apiVersion: v1
kind: Service
metadata: { name: web, namespace: default }
spec: { type: LoadBalancer, selector: { app: web }, ports: [{ port: 8081 }] }
EOF`)
    expect(other.code, other.output).toBe(0)
    const r = sim.run('phone-a', script('03-deploy-echo.sh'))
    expect(r.code, r.output).toBe(0)
    expect(r.stdout).toMatch(/^echo\s+LoadBalancer\s+\S+\s+<pending>/m)
    expect(r.stderr).toContain('EXTERNAL-IP is <pending>')
    expect(r.stderr).toContain('Service default/web already takes port 8081')
  })
})

/** Pods that answer every request with an HTTP 404 (a default backend), behind the echo Service: a copied label. */
const DEFAULT_BACKEND = 'registry.k8s.io/defaultbackend-arm64:1.5'
const impostor = () => {
  sim.update((w) => void w.registry.push(DEFAULT_BACKEND))
  const r = sim.sh('phone-a', `kubectl apply -f - >/dev/null <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata: { name: impostor }
spec:
  replicas: 2
  selector: { matchLabels: { app: impostor } }
  template:
    metadata: { labels: { app: impostor, app.kubernetes.io/name: echo, app.kubernetes.io/instance: echo-demo } }
    spec: { containers: [{ name: web, image: ${DEFAULT_BACKEND} }] }
EOF
kubectl rollout status deployment/impostor --timeout=120s >/dev/null`)
  expect(r.code, r.output).toBe(0)
}

describe('04-curl.sh', () => {
  test('on a phone: the echo of one request, from a pod the cluster has', () => {
    onePhone()
    deployEcho()
    const r = sim.run('phone-a', script('04-curl.sh'), [], { env: {} })
    expect(r.code, r.output).toBe(0)
    const pod = /"pod": "([^"]+)"/.exec(r.stdout)?.[1]
    expect(echoPods().map((p) => p.metadata.name)).toContain(pod)
    expect(r.stdout).toContain('"node": "phone-a"')
    expect(r.stdout).toContain('"hello": "phone"')
  })

  test('an HTTP error instead of an echo says so and exits 1, instead of stopping without a word', () => {
    onePhone()
    deployEcho()
    impostor()
    const runs = Array.from({ length: 6 }, () => sim.run('phone-a', script('04-curl.sh')))
    const failed = runs.filter((r) => r.code !== 0)
    expect(failed.length).toBeGreaterThan(0)
    for (const r of failed) {
      expect(r.code).toBe(1)
      expect(r.stderr).toContain('No echo from http://localhost:8081 this time')
      expect(r.stderr).toContain('Ask again')
    }
    for (const r of runs.filter((x) => x.code === 0)) expect(r.stdout).toContain('"node": "phone-a"')
  })

  test('without jq it says how to install it', () => {
    onePhone()
    deployEcho()
    sim.update((w) => void (w.hosts['phone-a'].programs = w.hosts['phone-a'].programs.filter((p) => p !== 'jq')))
    const r = sim.run('phone-a', script('04-curl.sh'))
    expect(r.code).toBe(1)
    expect(r.stderr).toContain("'jq' is not installed")
    expect(r.stderr).toContain('sudo apt install -y jq')
  })

  test('on the agent phone without the echo server it says to deploy it on the control plane', () => {
    twoPhones()
    const r = sim.run('phone-b', script('04-curl.sh'))
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('./echo-demo/scripts/03-deploy-echo.sh (on the control plane)')
  })

  test('on a phone without the echo server it says to deploy it', () => {
    onePhone()
    const r = sim.run('phone-a', script('04-curl.sh'))
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('No answer from http://localhost:8081')
    expect(r.stderr).toContain('03-deploy-echo.sh')
  })

  describe('from the laptop', () => {
    beforeEach(() => {
      twoPhones()
      deployEcho()
    })

    test('ECHO_HOST given as a URL: it says to name the phone only, and asks nothing', () => {
      const r = sim.run('laptop', script('04-curl.sh'), [], { env: { ECHO_HOST: 'http://phone-a:8081' } })
      expect(r.code).toBe(1)
      expect(r.stderr).toContain('ECHO_HOST=http://phone-a:8081 is not a host name')
      expect(r.stderr).toContain('ECHO_HOST=phone-a')
      expect(sim.calls('curl')).toEqual([])
    })

    test('with ECHO_HOST=phone-a it asks the phone over the tailnet', () => {
      const r = sim.run('laptop', script('04-curl.sh'), [], { env: { ECHO_HOST: 'phone-a' } })
      expect(r.code, r.output).toBe(0)
      expect(r.stdout).toMatch(/"node": "phone-[ab]"/)
      expect(r.stdout).toContain('"hello": "phone"')
    })

    test('without ECHO_HOST it says to name a phone, not to deploy again', () => {
      const r = sim.run('laptop', script('04-curl.sh'))
      expect(r.code).toBe(1)
      expect(r.stderr).toContain('ECHO_HOST=phone-a')
      expect(r.stderr).not.toContain('03-deploy-echo.sh')
    })

    test('with the laptop out of the tailnet the name does not resolve: tailscale', () => {
      expect(sim.sh('laptop', 'sudo tailscale down').code).toBe(0)
      const r = sim.run('laptop', script('04-curl.sh'), [], { env: { ECHO_HOST: 'phone-a' } })
      expect(r.code).toBe(1)
      expect(r.stderr).toContain('curl exit code 6')
      expect(r.stderr).toContain('tailscale status')
    })

    test('a tailnet policy without tcp:8081: the timeout names the policy too', () => {
      sim.update((w) => void (w.tailnet.allow = ['tcp:6443', 'tcp:10250', 'udp:8472']))
      const r = sim.run('laptop', script('04-curl.sh'), [], { env: { ECHO_HOST: 'phone-a' } })
      expect(r.code).toBe(1)
      expect(r.stderr).toContain('curl exit code 28')
      expect(r.stderr).toContain('tailnet policy')
      expect(r.stderr).toContain('tcp:8081')
    })

    test('with phone-a asleep: no answer within the time limit, and a hint to wake it', () => {
      sleepFor('phone-a', 1)
      const r = sim.run('laptop', script('04-curl.sh'), [], { env: { ECHO_HOST: 'phone-a' } })
      expect(r.code).toBe(1)
      expect(r.stderr).toContain('curl exit code 28')
      expect(r.stderr).toMatch(/awake/)
      expect(r.seconds).toBeLessThanOrEqual(20)
    })
  })
})

describe.each([
  ['04b-curl-hostname.sh', 'pod'],
  ['04c-curl-nodename.sh', 'node'],
])('%s', (name, what) => {
  const answerOf = (pod: ReturnType<typeof echoPods>[number]) => (what === 'pod' ? pod.metadata.name : nodeOf(pod)!)

  test(`tallies the answers per ${what}: every name is one the cluster has`, () => {
    twoPhones()
    deployEcho()
    const r = sim.run('phone-a', script(name), ['8'])
    expect(r.code, r.output).toBe(0)
    const names = new Set(echoPods().map(answerOf))
    const lines = tally(r)
    expect(lines.length).toBe(2)
    for (const l of lines) expect(names).toContain(l.split(' ')[1])
    expect(lines.reduce((sum, l) => sum + Number(l.split(' ')[0]), 0)).toBe(8)
    expect(r.stdout).toContain('2 ')
  })

  test('from the laptop with ECHO_HOST', () => {
    twoPhones()
    deployEcho()
    const r = sim.run('laptop', script(name), ['4'], { env: { ECHO_HOST: 'phone-b' } })
    expect(r.code, r.output).toBe(0)
    expect(tally(r).reduce((sum, l) => sum + Number(l.split(' ')[0]), 0)).toBe(4)
  })

  test(`an HTTP error page is counted as "(no answer)", not as a ${what} name`, () => {
    onePhone()
    deployEcho()
    impostor()
    const r = sim.run('phone-a', script(name), ['8'])
    expect(r.code, r.output).toBe(0)
    const names = new Set([...echoPods().map(answerOf), '(no answer)'])
    for (const l of tally(r)) expect(names).toContain(l.replace(/^\d+ /, ''))
    expect(r.stdout).toMatch(/^\s+\d+ \(no answer\)$/m)
    expect(r.stderr).toContain('Some requests got no answer')
  })

  test('a pod on a phone that just fell asleep: its requests time out as "(no answer)", the others answer', () => {
    twoPhones()
    deployEcho()
    sim.update((w) => void (w.hosts['phone-b'].awake = false))
    const r = sim.run('phone-a', script(name), ['6'])
    expect(r.code, r.output).toBe(0)
    expect(r.stdout).toMatch(/^\s+\d+ \(no answer\)$/m)
    expect(r.stderr).toContain('Some requests got no answer')
    expect(r.seconds).toBeLessThanOrEqual(6 * 5 + 3 * 5)
  })

  test('without curl it says how to install it', () => {
    sim.update((w) => void (w.hosts['phone-a'].programs = w.hosts['phone-a'].programs.filter((p) => p !== 'curl')))
    const r = sim.run('phone-a', script(name))
    expect(r.code).toBe(1)
    expect(r.stderr).toContain("'curl' is not installed")
    expect(r.stderr).toContain('sudo apt install -y curl')
  })

  test('without the echo server it says to deploy it', () => {
    onePhone()
    const r = sim.run('phone-a', script(name))
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('03-deploy-echo.sh')
  })
})

describe('05-scale-echo.sh', () => {
  test('scales to 3 on two phones and counts the pods per node as the cluster has them', () => {
    twoPhones()
    deployEcho()
    const r = sim.run('phone-a', script('05-scale-echo.sh'))
    expect(r.code, r.output).toBe(0)
    expect(readyEchoPods()).toHaveLength(3)
    const perNode = new Map<string, number>()
    for (const p of readyEchoPods()) perNode.set(nodeOf(p)!, (perNode.get(nodeOf(p)!) ?? 0) + 1)
    for (const [node, n] of perNode) expect(r.stdout).toMatch(new RegExp(`^\\s+${n} ${node}$`, 'm'))
  })

  test('more pods than fit in a 2 GB phone: Insufficient memory explained, with a number that fits', () => {
    onePhone()
    sim.update((w) => void (w.hosts['phone-a'].memAvailableMB = 520))
    deployEcho()
    const r = sim.run('phone-a', script('05-scale-echo.sh'), ['10'])
    expect(r.code).toBe(1)
    const fit = readyEchoPods().length
    expect(fit).toBeLessThan(10)
    expect(r.stderr).toContain('Insufficient memory')
    expect(r.stderr).toContain(`${10 - fit} of 10 pods don't fit`)
    expect(r.stderr).toContain(`./echo-demo/scripts/05-scale-echo.sh ${fit}`)
  })

  test('a phone asleep: its pod is not ready, and the hint says which phone to wake', () => {
    twoPhones()
    deployEcho()
    sleepFor('phone-b', 60)
    const r = sim.run('phone-a', script('05-scale-echo.sh'), ['4'])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('phone-b is NotReady')
    expect(r.stderr).not.toContain('Insufficient memory')
  })

  test('without the deployment it says to deploy first and scales nothing', () => {
    onePhone()
    const r = sim.run('phone-a', script('05-scale-echo.sh'))
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('03-deploy-echo.sh')
    expect(sim.argvs('kubectl').some((a) => a.startsWith('scale'))).toBe(false)
  })

  test('from the laptop', () => {
    twoPhones()
    deployEcho()
    laptopWithKubectl()
    const r = sim.run('laptop', script('05-scale-echo.sh'), ['4'], { env: kubeconfigEnv() })
    expect(r.code, r.output).toBe(0)
    expect(readyEchoPods()).toHaveLength(4)
  })
})

describe('06-undeploy-echo.sh', () => {
  test('deletes the echo server and waits until its pods are gone', () => {
    onePhone()
    deployEcho()
    const r = sim.run('phone-a', script('06-undeploy-echo.sh'))
    expect(r.code, r.output).toBe(0)
    expect(echoObjects()).toEqual([])
    expect(echoPods()).toEqual([])
    expect(r.stdout).toContain('the echo pods to be gone')
  })

  test('a re-run with nothing deployed succeeds', () => {
    onePhone()
    const r = sim.run('phone-a', script('06-undeploy-echo.sh'))
    expect(r.code, r.output).toBe(0)
    expect(r.stdout).toContain('The echo server is gone')
  })

  test("a pod on a phone that sleeps stays Terminating: the wait doesn't hang on it, and says why", () => {
    twoPhones()
    deployEcho()
    sleepFor('phone-b', 60)
    const r = sim.run('phone-a', script('06-undeploy-echo.sh'))
    expect(r.code, r.output).toBe(0)
    expect(echoObjects()).toEqual([])
    expect(echoPods().map(nodeOf)).toEqual(['phone-b'])
    expect(r.stderr).toContain('phone-b is NotReady')
    expect(r.stderr).toContain('Terminating')
    expect(r.seconds).toBeLessThan(60)
  })

  test('a phone that fell asleep a moment ago (still Ready): the wait ends once it turns NotReady', () => {
    twoPhones()
    deployEcho()
    sim.update((w) => void (w.hosts['phone-b'].awake = false))
    const r = sim.run('phone-a', script('06-undeploy-echo.sh'))
    expect(r.code, r.output).toBe(0)
    expect(echoPods().map(nodeOf)).toEqual(['phone-b'])
    expect(r.stderr).toContain('phone-b is NotReady')
    expect(r.seconds).toBeLessThan(60)
  })

  test('from the laptop', () => {
    twoPhones()
    deployEcho()
    laptopWithKubectl()
    const r = sim.run('laptop', script('06-undeploy-echo.sh'), [], { env: kubeconfigEnv() })
    expect(r.code, r.output).toBe(0)
    expect(echoObjects()).toEqual([])
  })
})
