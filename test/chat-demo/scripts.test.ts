// chat-demo/scripts run for real (bash, from a working directory outside the repo) against a fake
// kubectl and curl that keep a tiny cluster and HTTP world in the sandbox (see fakes/).
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createSandbox, REPO_ROOT } from '../support/shell-harness.ts'
import type { Sandbox } from '../support/shell-harness.ts'
import { chatEnv, podSpec } from './manifests.ts'

const FAKES = resolve(REPO_ROOT, 'test/chat-demo/fakes')
const SCRIPTS = 'chat-demo/scripts'
const JQ = ['/usr/bin/jq', '/usr/local/bin/jq', '/bin/jq'].find((p) => existsSync(p))
const CLUSTER_IP_URL = 'http://10.43.7.80:8080'
const AI_URL = chatEnv().LLM_URL!

interface Node {
  name: string
  ip: string
  labels: Record<string, string>
}

interface Setup {
  nodes?: Node[]
  /** This phone's node name as the install scripts record it; null: not recorded. */
  thisNode?: string | null
  cluster?: Record<string, unknown>
  http?: Record<string, unknown>
}

const phones = (): Node[] => [
  { name: 'phone-a', ip: '100.64.0.1', labels: {} },
  { name: 'phone-b', ip: '100.64.0.2', labels: {} },
]

let sb: Sandbox
afterEach(() => sb?.cleanup())

function setup({ nodes = phones(), thisNode = 'phone-a', cluster = {}, http = {} }: Setup = {}) {
  sb = createSandbox()
  sb.stub('kubectl', `exec "${process.execPath}" "${FAKES}/kubectl.mjs" "$@"`)
  sb.stub('curl', `exec "${process.execPath}" "${FAKES}/curl.mjs" "$@"`)
  sb.stub('jq', `exec "${JQ}" "$@"`)
  sb.stub('hostname', 'echo debian') // what every phone VM is called: the scripts must not use it
  sb.write('cluster.json', JSON.stringify({ reachable: true, nodes, objects: [], eventDelay: 0, rolloutFails: false, pvcNode: null, ...cluster }))
  sb.write('http.json', JSON.stringify(http))
  if (thisNode) {
    // Record the node name exactly as the echo demo's install scripts do.
    const recorder = sb.write('record-node.sh', `source "${REPO_ROOT}/scripts/lib/demo.sh"\nrecord_node_name "$1"\n`)
    expect(sb.run(recorder, [thisNode]).code).toBe(0)
  }
  return sb
}

const run = (script: string, args: string[] = [], input = '') => sb.run(`${SCRIPTS}/${script}`, args, { input })
const cluster = () => JSON.parse(readFileSync(sb.path('cluster.json'), 'utf8'))
const labelsOf = (name: string) => cluster().nodes.find((n: Node) => n.name === name).labels
const httpRequests = () => (existsSync(sb.path('http-requests.log')) ? readFileSync(sb.path('http-requests.log'), 'utf8') : '')

describe('every chat-demo script', () => {
  const scripts = readdirSync(resolve(REPO_ROOT, SCRIPTS)).filter((f) => f.endsWith('.sh')).sort()

  it('is the set the README and the talk use', () => {
    expect(scripts).toEqual([
      '00-deploy-chat-no-label.sh', '00-label-llm.sh', '01-deploy-chat.sh', '02-test-chat.sh',
      '03-undeploy-chat.sh', '04-check-llm.sh', '99-unset-llm-label.sh',
    ])
    const readme = readFileSync(resolve(REPO_ROOT, 'chat-demo/README.md'), 'utf8')
    for (const s of scripts) expect(readme).toContain(`scripts/${s}`)
  })

  it.each(scripts)('%s has one slide region, strict mode, and answers --help', (script) => {
    const text = readFileSync(resolve(REPO_ROOT, SCRIPTS, script), 'utf8')
    expect(text.startsWith('#!/usr/bin/env bash\n# Usage: ')).toBe(true)
    expect(text).toContain('\nset -euo pipefail\n')
    expect(text.match(/^# #region slide$/gm)).toHaveLength(1)
    expect(text.match(/^# #endregion slide$/gm)).toHaveLength(1)
    const region = text.slice(text.indexOf('# #region slide'), text.indexOf('# #endregion slide')).split('\n').slice(1, -1)
    expect(region.length).toBeGreaterThan(0)
    expect(region.length).toBeLessThanOrEqual(6)
    expect(text).not.toMatch(/sudo kubectl|\$\(hostname\)|\bcd "?\$REPO_ROOT/)

    setup()
    const help = run(script, ['--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toContain(`Usage: chat-demo/scripts/${script}`)
    const bad = run(script, ['--no-such-option'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('Usage:')
    expect(sb.calls('kubectl')).toEqual([])
  })
})

describe('00-deploy-chat-no-label.sh', () => {
  it("applies the manifests and shows the scheduler's FailedScheduling message", () => {
    setup({ cluster: { eventDelay: 2 } }) // the event shows up on the third look
    const r = run('00-deploy-chat-no-label.sh')
    expect(r.code, r.output).toBe(0)
    expect(sb.argvs('kubectl')).toContain(`apply -f ${REPO_ROOT}/chat-demo/manifests`)
    expect(cluster().objects).toEqual(['ConfigMap/chat-commands', 'PersistentVolumeClaim/chat-data', 'Deployment/chat', 'Service/chat'])
    expect(r.stdout).toContain('Pending')
    expect(r.stdout).toContain("FailedScheduling: 0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector.")
    expect(r.stdout).toContain('no node has that label yet')
    expect(r.stdout).toContain('00-label-llm.sh')
    expect(sb.calls('hostname')).toEqual([])
  })

  it('refuses when a node already carries the label, because nothing would be Pending', () => {
    const nodes = phones()
    nodes[1]!.labels.llm = 'true'
    setup({ nodes })
    const r = run('00-deploy-chat-no-label.sh')
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('already carry llm=true: phone-b')
    expect(r.stderr).toContain('99-unset-llm-label.sh')
    expect(sb.argvs('kubectl').filter((a) => a.startsWith('apply'))).toEqual([])
  })

  it('says when the cluster is not reachable', () => {
    setup({ cluster: { reachable: false } })
    const r = run('00-deploy-chat-no-label.sh')
    expect(r.code).toBe(1)
    expect(r.stderr).toContain("The cluster isn't reachable")
  })
})

describe('00-label-llm.sh and 99-unset-llm-label.sh', () => {
  const selector = () => Object.entries(podSpec().nodeSelector as Record<string, string>)

  it("labels this phone's recorded node (not the VM's hostname) with the chat's nodeSelector", () => {
    setup({ thisNode: 'phone-b' })
    const r = run('00-label-llm.sh')
    expect(r.code, r.output).toBe(0)
    const [[key, value]] = selector() as [[string, string]]
    expect(sb.argvs('kubectl')).toContain(`label node phone-b ${key}=${value} --overwrite`)
    expect(labelsOf('phone-b')).toEqual({ [key]: value })
    expect(labelsOf('phone-a')).toEqual({})
    expect(r.stdout).toContain('node/phone-b labeled')
    expect(sb.calls('hostname')).toEqual([])
  })

  it('labels the node given as argument, and lets a Pending chat be scheduled there', () => {
    setup({ thisNode: 'phone-a' })
    expect(run('00-deploy-chat-no-label.sh').code).toBe(0)
    expect(run('00-label-llm.sh', ['phone-b']).code).toBe(0)
    expect(labelsOf('phone-b')).toEqual({ llm: 'true' })
    const deploy = run('01-deploy-chat.sh')
    expect(deploy.code, deploy.output).toBe(0)
    expect(deploy.stdout).toContain('The chat runs on phone-b')
  })

  it('names the recorded-node file when no node is recorded and none is given', () => {
    setup({ thisNode: null })
    const r = run('00-label-llm.sh')
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('etc/rancher/k3s/config.yaml')
    expect(r.stderr).toContain('00-label-llm.sh phone-b')
    expect(sb.argvs('kubectl').filter((a) => a.startsWith('label'))).toEqual([])
  })

  it('refuses a node that does not exist and lists the real ones', () => {
    setup()
    const r = run('00-label-llm.sh', ['debian'])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('There is no node called debian')
    expect(r.stderr).toContain('phone-a phone-b')
    expect(sb.argvs('kubectl').filter((a) => a.startsWith('label'))).toEqual([])
  })

  it('warns when the chat data lives on another phone than the one being labelled', () => {
    setup({ cluster: { objects: ['PersistentVolumeClaim/chat-data'], pvcNode: 'phone-a' } })
    const r = run('00-label-llm.sh', ['phone-b'])
    expect(r.code).toBe(0)
    expect(r.stderr).toContain("The chat's data volume lives on phone-a")
    expect(r.stdout).toContain('03-undeploy-chat.sh --purge')
  })

  it('99 removes the same label key from the recorded node', () => {
    const nodes = phones()
    nodes[1]!.labels.llm = 'true'
    setup({ nodes, thisNode: 'phone-b' })
    const r = run('99-unset-llm-label.sh')
    expect(r.code, r.output).toBe(0)
    const [[key]] = selector() as [[string, string]]
    expect(sb.argvs('kubectl')).toContain(`label node phone-b ${key}-`)
    expect(labelsOf('phone-b')).toEqual({})
  })

  it('99 says that a running chat stays where it is', () => {
    const nodes = phones()
    nodes[1]!.labels.llm = 'true'
    setup({ nodes, cluster: { objects: ['ConfigMap/chat-commands', 'PersistentVolumeClaim/chat-data', 'Deployment/chat', 'Service/chat'], podNode: 'phone-b' } })
    const r = run('99-unset-llm-label.sh', ['phone-b'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('The chat keeps running on phone-b')
  })
})

describe('01-deploy-chat.sh', () => {
  it('refuses to deploy while no node is labelled, and says how to label one', () => {
    setup()
    const r = run('01-deploy-chat.sh')
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('No node carries the label llm=true')
    expect(r.stderr).toContain('00-label-llm.sh')
    expect(sb.argvs('kubectl').filter((a) => a.startsWith('apply'))).toEqual([])
  })

  it('applies, waits for the rollout with a timeout, and prints the URLs on port 8080', () => {
    const nodes = phones()
    nodes[1]!.labels.llm = 'true'
    setup({ nodes })
    const r = run('01-deploy-chat.sh')
    expect(r.code, r.output).toBe(0)
    const calls = sb.argvs('kubectl')
    expect(calls).toContain(`apply -f ${REPO_ROOT}/chat-demo/manifests`)
    expect(calls.indexOf('rollout status deployment/chat --timeout=300s')).toBeGreaterThan(calls.indexOf(`apply -f ${REPO_ROOT}/chat-demo/manifests`))
    expect(r.stdout).toContain('http://localhost:8080')
    expect(r.stdout).toContain('http://phone-b:8080')
    expect(r.stdout).toContain('http://100.64.0.2:8080')
  })

  it('explains a rollout that does not finish', () => {
    const nodes = phones()
    nodes[0]!.labels.llm = 'true'
    setup({ nodes, cluster: { rolloutFails: true } })
    const r = run('01-deploy-chat.sh')
    expect(r.code).toBe(1)
    expect(r.stderr).toContain("The chat didn't become ready in time")
    expect(r.stderr).toContain('FailedScheduling')
    expect(r.stdout + r.stderr).toContain('ImagePullBackOff')
    expect(r.stderr).toContain('The chat did not roll out')
  })
})

describe('02-test-chat.sh', () => {
  const deployed = () => {
    const nodes = phones()
    nodes[1]!.labels.llm = 'true'
    return { nodes, cluster: { objects: ['ConfigMap/chat-commands', 'PersistentVolumeClaim/chat-data', 'Deployment/chat', 'Service/chat'], servicePort: 8080 } }
  }
  const reply = (command: string, output: string, status = 'ok') => ({
    status: 201,
    body: { message: { id: 7, text: command, command: command.slice(1), status, output, pod: 'chat-7c9d8b6f5d-q4x2z', node: 'phone-b' }, pod: 'chat-7c9d8b6f5d-q4x2z', node: 'phone-b' },
  })
  const chatWorks = {
    [`${CLUSTER_IP_URL}/api/readyz`]: { status: 200, body: { status: 'ready', store: 'rqlite', pod: 'chat-7c9d8b6f5d-q4x2z', node: 'phone-b' } },
    [`${CLUSTER_IP_URL}/api/messages?wait=1`]: reply('/whoami', 'Hello from pod chat-7c9d8b6f5d-q4x2z on node phone-b'),
  }

  it('checks readiness through the Service, shows who answered /whoami, and explains an unreachable AI app', () => {
    setup({ ...deployed(), thisNode: 'phone-b', http: chatWorks })
    const r = run('02-test-chat.sh')
    expect(r.stdout).toContain('"status":"ready"')
    expect(httpRequests()).toContain(`${CLUSTER_IP_URL}/api/messages?wait=1 {"text":"/whoami"}`)
    expect(r.stdout).toContain('chat-7c9d8b6f5d-q4x2z on phone-b answered: Hello from pod chat-7c9d8b6f5d-q4x2z on node phone-b')
    expect(sb.argvs('curl')).toContain(`-fsS --max-time 5 ${AI_URL}/health`)
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(`Nothing answers at ${AI_URL}/health`)
    expect(r.stderr).toContain("Couldn't connect to server")
    expect(r.stdout).toContain('start its server')
    expect(r.stderr).toContain("The phone's AI app isn't reachable from this VM")
    expect(r.stderr).toContain('04-check-llm.sh')
  })

  it('passes when the AI app answers on this phone', () => {
    setup({ ...deployed(), thisNode: 'phone-b', http: { ...chatWorks, [`${AI_URL}/health`]: { status: 200, body: { status: 'healthy' } } } })
    const r = run('02-test-chat.sh')
    expect(r.code, r.output).toBe(0)
    expect(r.stdout).toContain(`The AI app answers at ${AI_URL}`)
  })

  it('asks through the chat when the chat runs on another phone', () => {
    const http = { ...chatWorks, [`${CLUSTER_IP_URL}/api/messages?wait=1`]: reply('/ai-status', 'No answer from the AI app at http://127.0.0.1:8005', 'error') }
    setup({ ...deployed(), thisNode: 'phone-a', http })
    const r = run('02-test-chat.sh')
    expect(httpRequests()).toContain('{"text":"/ai-status"}')
    expect(sb.argvs('curl').filter((a) => a.includes(':8005'))).toEqual([])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain("The chat on phone-b can't reach the AI app")
    expect(r.stderr).toContain('On phone-b run chat-demo/scripts/04-check-llm.sh')
  })

  it('says what to do when the chat does not answer', () => {
    setup({ ...deployed(), http: { [`${CLUSTER_IP_URL}/api/readyz`]: { status: 503, body: { status: 'not ready' } } } })
    const r = run('02-test-chat.sh')
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(`The chat at ${CLUSTER_IP_URL} doesn't answer, or isn't ready`)
    expect(r.stderr).toContain('01-deploy-chat.sh')
  })

  it('says to deploy first when there is no Service', () => {
    setup()
    const r = run('02-test-chat.sh')
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('There is no Service chat')
  })
})

describe('03-undeploy-chat.sh', () => {
  const everything = ['ConfigMap/chat-commands', 'PersistentVolumeClaim/chat-data', 'Deployment/chat', 'Service/chat']

  it('removes the app but keeps the data volume', () => {
    setup({ cluster: { objects: everything } })
    const r = run('03-undeploy-chat.sh')
    expect(r.code, r.output).toBe(0)
    const manifests = `${REPO_ROOT}/chat-demo/manifests`
    expect(sb.argvs('kubectl')).toContain(`delete -f ${manifests}/chat.yaml -f ${manifests}/chat-config.yaml --ignore-not-found`)
    expect(cluster().objects).toEqual(['PersistentVolumeClaim/chat-data'])
    expect(r.stdout).toContain('its history stays in the volume chat-data')
  })

  it('--purge deletes the data volume too', () => {
    setup({ cluster: { objects: everything } })
    const r = run('03-undeploy-chat.sh', ['--purge'])
    expect(r.code, r.output).toBe(0)
    expect(sb.argvs('kubectl')).toContain(`delete -f ${REPO_ROOT}/chat-demo/manifests/chat-data.yaml --ignore-not-found`)
    expect(cluster().objects).toEqual([])
  })

  it('is harmless when nothing is deployed', () => {
    setup()
    expect(run('03-undeploy-chat.sh').code).toBe(0)
  })
})

describe('04-check-llm.sh', () => {
  const models = { models: [{ name: 'GEMMA_3_1B_IT', available: true, currentlyLoaded: true }, { name: 'LLAMA_3_2_1B', available: false }] }
  const network = () => {
    sb.stub('ip', `case "$*" in
      "-4 route show default") echo "default via 10.0.2.2 dev enp0s1 proto dhcp src 10.0.2.15 metric 100" ;;
      "-4 neigh show") echo "10.0.2.2 dev enp0s1 lladdr 52:55:0a:00:02:02 REACHABLE"; echo "10.0.2.3 dev enp0s1 lladdr 52:55:0a:00:02:03 STALE" ;;
      *) echo "ip stub: unexpected $*" >&2; exit 64 ;;
    esac`)
    sb.stub('ss', 'exit 0') // nothing listens on 8005
    sb.stub('nohup', '"$@"')
    sb.stub('socat', 'touch "$STUB_SANDBOX/forwarding"')
  }
  const viaForwarder = (then: object) => ({ whenFile: 'forwarding', then, else: { refused: true } })

  it('is done when the AI app answers at localhost, and lists its models', () => {
    setup({ http: { 'http://127.0.0.1:8005/health': { status: 200, body: { status: 'healthy' } }, 'http://127.0.0.1:8005/ai/models': { status: 200, body: models } } })
    network()
    const r = run('04-check-llm.sh')
    expect(r.code, r.output).toBe(0)
    expect(r.stdout).toContain('The AI app answers at http://localhost:8005')
    expect(r.stdout).toContain('GEMMA_3_1B_IT (loaded), LLAMA_3_2_1B')
    expect(sb.calls('socat')).toEqual([])
  })

  it('finds the app at the default gateway and offers the forwarder without starting it unasked', () => {
    setup({ http: { 'http://10.0.2.2:8005/health': { status: 200, body: { status: 'healthy' } } } })
    network()
    const r = run('04-check-llm.sh')
    expect(r.code, r.output).toBe(0)
    expect(r.stdout).toContain('The AI app answers at http://10.0.2.2:8005')
    expect(r.stdout).toContain('socat TCP-LISTEN:8005,fork,reuseaddr TCP:10.0.2.2:8005')
    expect(sb.calls('socat')).toEqual([])
  })

  it('--forward starts the forwarder to the found address and checks it through localhost', () => {
    setup({
      http: {
        'http://10.0.2.2:8005/health': { status: 200, body: { status: 'healthy' } },
        'http://127.0.0.1:8005/health': viaForwarder({ status: 200, body: { status: 'healthy' } }),
        'http://127.0.0.1:8005/ai/models': viaForwarder({ status: 200, body: models }),
      },
    })
    network()
    const r = run('04-check-llm.sh', ['--forward'])
    expect(r.code, r.output).toBe(0)
    expect(sb.argvs('socat')).toEqual(['TCP-LISTEN:8005,fork,reuseaddr TCP:10.0.2.2:8005'])
    expect(r.stdout).toContain('the AI app through the forwarder')
    expect(r.stdout).toContain('GEMMA_3_1B_IT (loaded)')
  })

  it('says exactly what to check on the phone when the app is nowhere', () => {
    setup()
    network()
    const r = run('04-check-llm.sh')
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('asked: 10.0.2.2 10.0.2.3')
    expect(r.stdout).toContain('github.com/parttimenerd/local-android-ai')
    expect(r.stdout).toContain('http://localhost:8005/health')
    expect(r.stdout).toContain('Battery optimisation')
    expect(r.stderr).toContain("The phone's AI app isn't reachable from this VM")
  })

  it('spots something else holding the port', () => {
    setup()
    network()
    sb.stub('ss', 'echo "LISTEN 0 5 0.0.0.0:8005 0.0.0.0:*"')
    const r = run('04-check-llm.sh')
    expect(r.code).toBe(1)
    expect(r.stderr).toContain("Something listens on port 8005 in this VM but doesn't answer")
    expect(sb.calls('socat')).toEqual([])
  })
})

describe('paths', () => {
  it('every manifest path the scripts name exists', () => {
    for (const script of readdirSync(resolve(REPO_ROOT, SCRIPTS))) {
      const text = readFileSync(join(REPO_ROOT, SCRIPTS, script), 'utf8')
      for (const [, file] of text.matchAll(/\$MANIFESTS\/([\w.-]+)/g)) {
        expect(existsSync(resolve(REPO_ROOT, 'chat-demo/manifests', file!)), `${script}: ${file}`).toBe(true)
      }
    }
  })
})
