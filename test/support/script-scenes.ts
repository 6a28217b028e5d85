/**
 * Set-up for the tests of the demo scripts (test/echo-demo/scripts, test/chat-demo/scripts,
 * test/scripts): a fresh simulated world per test (tools/phone-sim), the scenes the tests start
 * from, and what they read from the world and the output.
 *
 *   const sim = useSim()                          // a new world before each test, cleaned up after
 *   const { onePhone, deployEcho, echoPods } = scenes(sim)
 *   beforeEach(() => { onePhone(); deployEcho() })
 *   it('…', () => { const r = sim.run('phone-a', echoDemo('05-scale-echo.sh'), ['3']) … })
 */
import type { RunResult, Sim, World } from '../../tools/phone-sim/index.ts'
import type { KObject } from '../../tools/phone-sim/world.ts'
import { afterEach, beforeEach, expect, vi } from 'vitest'
import { AUTH_KEY, createSim, REPO_ROOT } from '../../tools/phone-sim/index.ts'

/** A scene runs the real installers and scripts: every simulated call is a process, slow on a loaded machine. */
const SLOW = 300_000

export const echoDemo = (name: string) => `echo-demo/scripts/${name}`
export const chatDemo = (name: string) => `chat-demo/scripts/${name}`

/**
 * A new simulated world for each test of the file (or the describe block it is called in). The Sim
 * it returns stands for the current test's world; it also gives the file generous time limits.
 */
export function useSim(configure?: (world: World) => void): Sim {
  vi.setConfig({ testTimeout: SLOW, hookTimeout: SLOW })
  let current: Sim | null = null
  beforeEach(() => {
    current = createSim(configure)
  })
  afterEach(() => {
    current?.cleanup()
    current = null
  })
  return new Proxy({} as Sim, {
    get(_, key: keyof Sim) {
      if (!current)
        throw new Error('useSim: the simulated world exists only while a test runs')
      return current[key]
    },
  })
}

/** The last line of what a script printed on an error: the hint. */
export const lastLine = (r: RunResult) => r.output.trim().split('\n').at(-1) ?? ''
/** The "  5 phone-a" lines of a tally, as "5 phone-a". */
export const tally = (r: RunResult) => r.stdout.split('\n').filter(l => /^\s+\d+ \S/.test(l)).map(l => l.trim())
/** The node a pod was scheduled to. */
export const nodeOf = (pod: KObject) => (pod.spec as { nodeName?: string }).nodeName

/** Pods that answer every request with an HTTP 404 (a default backend), behind the echo Service: a copied label. */
const DEFAULT_BACKEND = 'registry.k8s.io/defaultbackend-arm64:1.5'
/** Where fetch-kubeconfig.sh writes the laptop's kubeconfig. */
export const LAPTOP_KUBECONFIG = '~/.kube/k3s-on-phone.yaml'

/** The scenes and queries, for the world `sim` stands for. */
export function scenes(sim: Sim) {
  const objects = (kind: string) => sim.world().cluster?.objects.filter(o => o.kind === kind) ?? []
  const node = (name: string) => objects('Node').find(o => o.metadata.name === name)
  const echoPods = (w: World = sim.world()) => (w.cluster?.objects ?? []).filter(o => o.kind === 'Pod' && o.metadata.labels?.['app.kubernetes.io/name'] === 'echo')

  return {
    // --- scenes ---
    /** phone-a as a fresh control plane, without Tailscale (the one-phone demo); its node name recorded. */
    onePhone: () => sim.setup('phone-a', 'server'),
    /** phone-a and phone-b in the tailnet, phone-b joined as an agent; the laptop in the tailnet too (unless told). */
    twoPhones: ({ laptop = true } = {}) => {
      sim.setup('phone-a', 'tailscale', 'server-on-tailnet')
      sim.setup('phone-b', 'tailscale', 'agent')
      if (laptop)
        sim.setup('laptop', 'tailscale')
    },
    /** The echo server deployed by 03-deploy-echo.sh. */
    deployEcho: (host = 'phone-a') => {
      const r = sim.run(host, echoDemo('03-deploy-echo.sh'))
      expect(r.code, r.output).toBe(0)
      sim.resetCalls()
    },
    /** The impostor Deployment (see DEFAULT_BACKEND), rolled out. */
    impostor: () => {
      sim.update(w => void w.registry.push(DEFAULT_BACKEND))
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
    },
    /** The chat deployed and ready on NODE, from the control plane. */
    chatOn: (name: string) => {
      const r = sim.sh('phone-a', `kubectl label node ${name} llm=true --overwrite >/dev/null\nkubectl apply -f "${REPO_ROOT}/chat-demo/manifests" >/dev/null\nkubectl rollout status deployment/chat --timeout=300s >/dev/null`)
      expect(r.code, r.output).toBe(0)
      sim.resetCalls()
    },
    /** The laptop with a kubectl of its own and the kubeconfig fetched as the README says. */
    laptopWithKubectl: () => {
      sim.update((w) => {
        w.hosts.laptop.programs.push('kubectl')
        w.hosts['phone-a'].tailscale.prefs['--ssh'] = 'true'
      })
      const r = sim.run('laptop', 'scripts/fetch-kubeconfig.sh', ['phone-a'])
      expect(r.code, r.output).toBe(0)
      sim.resetCalls()
    },
    kubeconfigEnv: (file = LAPTOP_KUBECONFIG) => ({ KUBECONFIG: sim.path('laptop', file) }),
    /** The auth key saved on a phone as the README says (in its home, never in this repository). */
    keyFile: (host: string, mode = 0o600): Record<string, string> => {
      sim.write(host, '~/.tailscale-key', `${AUTH_KEY}\n`, mode)
      return { TAILSCALE_KEY_FILE: sim.path(host, '~/.tailscale-key') }
    },
    /** PROGRAM installed on HOST (as sudo apt-get install -y PROGRAM would). */
    install: (host: string, program: string) => sim.update(w => void w.hosts[host].programs.push(program)),
    uninstall: (host: string, program: string) => sim.update(w => void (w.hosts[host].programs = w.hosts[host].programs.filter(p => p !== program))),
    /** HOST asleep (screen off), for SECONDS of simulated time. */
    sleepFor: (host: string, seconds: number) => {
      sim.update(w => void (w.hosts[host].awake = false))
      sim.wait(seconds)
    },

    /** --help prints the usage (exit 0); --bogus after ARGS is a usage error (exit 2, the usage on stderr). */
    expectUsage: (script: string, args: string[] = []) => {
      const help = sim.run('phone-a', script, ['--help'])
      expect(help.code).toBe(0)
      expect(help.stdout).toMatch(/^Usage: \S+\.sh/)
      const bad = sim.run('phone-a', script, [...args, '--bogus'])
      expect(bad.code).toBe(2)
      expect(bad.stderr).toContain('--bogus')
      expect(bad.stderr).toContain('Usage:')
    },

    // --- what the world holds ---
    objects,
    node,
    isReady: (name: string) => ((node(name)?.status?.conditions ?? []) as Array<{ type: string, status: string }>).some(c => c.type === 'Ready' && c.status === 'True'),
    device: (name: string) => sim.world().tailnet.devices.find(d => d.name === name),
    tailnetIp: (host: string) => sim.world().tailnet.devices.find(d => d.host === host)!.ip,
    echoPods,
    readyEchoPods: () => echoPods().filter(p => (p.status?.conditions as Array<{ type: string, status: string }> | undefined)?.some(c => c.type === 'Ready' && c.status === 'True')),
    echoObjects: () => (sim.world().cluster?.objects ?? []).filter(o => ['Deployment', 'Service'].includes(o.kind) && o.metadata.name === 'echo'),
    chatPods: () => objects('Pod').filter(p => p.metadata.labels?.['app.kubernetes.io/name'] === 'chat'),
    labelsOf: (name: string) => node(name)!.metadata.labels!,
    chatObjects: () => sim.world().cluster!.objects.filter(o => ['ConfigMap', 'PersistentVolumeClaim', 'Deployment', 'Service'].includes(o.kind) && o.metadata.namespace === 'default').map(o => `${o.kind}/${o.metadata.name}`).sort(),
  }
}
