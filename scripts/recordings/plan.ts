/**
 * Every simulated recording the slides play: which demo script runs on which phone, in which scene (what
 * the phones and the cluster look like before it — made with the real scripts and tools in the
 * simulated world, tools/phone-sim), and whether ClusterView gets the cluster's changes too.
 * `npm run recordings` makes them all; the drift test (test/recordings/drift.test.ts) checks them.
 */
import type { Demo } from '../../demos.ts'
import type { SetupStep, Sim } from '../../tools/phone-sim/index.ts'
import { AUTH_KEY } from '../../tools/phone-sim/index.ts'

export type HostId = 'phone-a' | 'phone-b' | 'laptop'

export interface Step {
  host: HostId
  /** A demo script, from the repository root, run from the phone's clone */
  script?: string
  args?: string[]
  /** Or a command line (for a slide that shows a plain kubectl command); may depend on the scene */
  command?: string | ((sim: Sim) => string)
  /** Environment; a value starting with ~/ is in that machine's home */
  env?: Record<string, string>
}

export interface Scene {
  /** Setup steps per machine, in order (see Sim.setup) */
  setup?: [HostId, ...SetupStep[]][]
  /** Scripts run before the recording starts (not recorded) */
  before?: Step[]
  /** Simulated seconds to let pass before recording (nodes and pods get an age) */
  wait?: number
  /** Programs installed on a machine (as `sudo apt-get install -y NAME` would) */
  install?: [HostId, string][]
  /** Files to put on a machine first: [host, "~/path" or "/path", content, mode] */
  files?: [HostId, string, string, number][]
}

export interface RecordingPlan {
  /** The files: DIR/recordings/NAME.simulated.cast (and NAME.simulated.cluster.jsonl) */
  name: string
  dir: Demo
  scene: Scene
  steps: Step[]
  /** Also record ClusterView's events */
  cluster?: boolean
  /** The phone's terminal: columns and rows (the Terminal app held upright) */
  cols?: number
  rows?: number
}

export const PHONE_COLS = 48
export const PHONE_ROWS = 40

const echo = (name: string) => `echo-demo/scripts/${name}`
const chat = (name: string) => `chat-demo/scripts/${name}`

const onePhone: Scene['setup'] = [['phone-a', 'server']]
const twoPhones: Scene['setup'] = [['phone-a', 'tailscale', 'server-on-tailnet'], ['phone-b', 'tailscale', 'agent']]
const deployed: Step[] = [{ host: 'phone-a', script: echo('03-deploy-echo.sh') }]
const scaled: Step[] = [...deployed, { host: 'phone-a', script: echo('05-scale-echo.sh'), args: ['3'] }]
/** The chat as the talk has it: deployed before the label, phone-b labelled, then deployed for good. */
const chatOnPhoneB: Step[] = [
  { host: 'phone-a', script: chat('00-deploy-chat-no-label.sh') },
  { host: 'phone-a', script: chat('00-label-llm.sh'), args: ['phone-b'] },
  { host: 'phone-a', script: chat('01-deploy-chat.sh') },
]

/** The first echo pod's name (what the speaker copies from `kubectl get pods`). */
function firstEchoPod(sim: Sim): string {
  const r = sim.sh('phone-a', 'kubectl get pods -l app.kubernetes.io/name=echo -o jsonpath=\'{.items[0].metadata.name}\'')
  if (r.code !== 0 || !r.stdout.trim())
    throw new Error(`no echo pod to delete:\n${r.output}`)
  return r.stdout.trim()
}

export const PLANS: RecordingPlan[] = [
  // Opening and demo 1: one phone
  { name: 'kubectl-get-nodes', dir: 'echo-demo', scene: { setup: twoPhones, wait: 1200 }, steps: [{ host: 'phone-a', command: 'kubectl get nodes' }] },
  { name: '01-install-k3s', dir: 'echo-demo', scene: {}, steps: [{ host: 'phone-a', script: echo('01-install-k3s.sh') }] },
  { name: '02-verify-cluster', dir: 'echo-demo', scene: { setup: onePhone, wait: 180 }, steps: [{ host: 'phone-a', script: echo('02-verify-cluster.sh') }] },
  { name: '03-deploy-echo', dir: 'echo-demo', scene: { setup: onePhone }, steps: [{ host: 'phone-a', script: echo('03-deploy-echo.sh') }] },
  { name: '04-curl', dir: 'echo-demo', scene: { setup: onePhone, before: deployed }, steps: [{ host: 'phone-a', script: echo('04-curl.sh') }] },
  { name: '05-scale-echo', dir: 'echo-demo', scene: { setup: onePhone, before: deployed, wait: 240 }, steps: [{ host: 'phone-a', script: echo('05-scale-echo.sh') }], cluster: true },
  {
    name: 'delete-pod',
    dir: 'echo-demo',
    scene: { setup: onePhone, before: scaled, wait: 120 },
    steps: [{ host: 'phone-a', command: sim => `kubectl delete pod ${firstEchoPod(sim)}` }, { host: 'phone-a', command: 'kubectl get pods' }],
    cluster: true,
  },
  { name: '04b-curl-hostname', dir: 'echo-demo', scene: { setup: onePhone, before: scaled }, steps: [{ host: 'phone-a', script: echo('04b-curl-hostname.sh') }] },
  { name: '06-undeploy-echo', dir: 'echo-demo', scene: { setup: onePhone, before: scaled }, steps: [{ host: 'phone-a', script: echo('06-undeploy-echo.sh') }] },

  // Demo 2: two phones
  {
    name: '07-setup-tailscale',
    dir: 'echo-demo',
    scene: { files: [['phone-b', '~/.tailscale-key', `${AUTH_KEY}\n`, 0o600]] },
    steps: [{ host: 'phone-b', script: echo('07-setup-tailscale.sh'), args: ['phone-b'], env: { TAILSCALE_KEY_FILE: '~/.tailscale-key' } }],
  },
  {
    name: '08-join-cluster',
    dir: 'echo-demo',
    scene: { setup: [['phone-a', 'tailscale', 'server-on-tailnet'], ['phone-b', 'tailscale']], wait: 600 },
    steps: [{ host: 'phone-b', script: echo('08-join-cluster.sh'), args: ['phone-a'] }],
    cluster: true,
  },
  { name: '09-verify-multi-node', dir: 'echo-demo', scene: { setup: twoPhones, wait: 120 }, steps: [{ host: 'phone-a', script: echo('09-verify-multi-node.sh') }] },
  { name: '03-deploy-echo-two-phones', dir: 'echo-demo', scene: { setup: twoPhones }, steps: [{ host: 'phone-a', script: echo('03-deploy-echo.sh') }] },
  { name: '05-scale-echo-two-phones', dir: 'echo-demo', scene: { setup: twoPhones, before: deployed, wait: 180 }, steps: [{ host: 'phone-a', script: echo('05-scale-echo.sh'), args: ['3'] }], cluster: true },
  { name: '04c-curl-nodename', dir: 'echo-demo', scene: { setup: twoPhones, before: scaled }, steps: [{ host: 'phone-a', script: echo('04c-curl-nodename.sh') }] },

  // Demo 3: the chat
  { name: '00-deploy-chat-no-label', dir: 'chat-demo', scene: { setup: twoPhones }, steps: [{ host: 'phone-a', script: chat('00-deploy-chat-no-label.sh') }] },
  {
    name: '00-label-llm',
    dir: 'chat-demo',
    scene: { setup: twoPhones, before: [{ host: 'phone-a', script: chat('00-deploy-chat-no-label.sh') }], wait: 60 },
    steps: [{ host: 'phone-a', script: chat('00-label-llm.sh'), args: ['phone-b'] }],
  },
  {
    name: '01-deploy-chat',
    dir: 'chat-demo',
    scene: { setup: twoPhones, before: chatOnPhoneB.slice(0, 2) },
    steps: [{ host: 'phone-a', script: chat('01-deploy-chat.sh') }],
  },
  { name: '02-test-chat', dir: 'chat-demo', scene: { setup: twoPhones, install: [['phone-b', 'socat']], before: [...chatOnPhoneB, { host: 'phone-b', script: chat('04-check-llm.sh'), args: ['--forward'] }] }, steps: [{ host: 'phone-a', script: chat('02-test-chat.sh') }] },
  { name: '03-undeploy-chat', dir: 'chat-demo', scene: { setup: twoPhones, before: chatOnPhoneB }, steps: [{ host: 'phone-a', script: chat('03-undeploy-chat.sh') }] },
]

/** The files a plan writes, from the repository root. */
export function outputsOf(plan: RecordingPlan): { cast: string, cluster?: string } {
  const base = `${plan.dir}/recordings/${plan.name}.simulated`
  return { cast: `${base}.cast`, ...(plan.cluster ? { cluster: `${base}.cluster.jsonl` } : {}) }
}

/** What the prompt line shows for a step: `./script args` as typed in the clone, or the command. */
export function shownCommand(step: Step, command?: string): string {
  if (step.script)
    return [`./${step.script}`, ...(step.args ?? [])].join(' ')
  return command ?? (typeof step.command === 'string' ? step.command : '')
}
