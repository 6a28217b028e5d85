// chat-demo/scripts run for real (bash) on the simulated phones and laptop (tools/phone-sim; the rules
// every script follows are in test/scripts/rules.test.ts):
// k3s, kubectl, curl, tailscale, socat, ss … answer as their documentation says, with simulated time.
// The cluster: phone-a (control plane), and phone-b (an agent) where a test needs two phones.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CHAT_IMAGE, createSim, PHONE_A_LAN, REPO_ROOT, type RunOptions, type Sim } from '../../tools/phone-sim/index.ts'
import type { KObject } from '../../tools/phone-sim/world.ts'
import { podSpec } from './manifests.ts'

const SCRIPTS = 'chat-demo/scripts'
/** Simulated runs spawn a process per program call: generous limits for a busy machine. */
const SLOW = { timeout: 300_000 }

let sim: Sim
beforeEach(() => {
  sim = createSim()
})
afterEach(() => sim.cleanup())

const run = (host: string, script: string, args: string[] = [], opts: RunOptions = {}) => sim.run(host, `${SCRIPTS}/${script}`, args, opts)
const objects = (kind: string) => sim.world().cluster?.objects.filter((o) => o.kind === kind) ?? []
const chatPods = () => objects('Pod').filter((p) => p.metadata.labels?.['app.kubernetes.io/name'] === 'chat')
const labelsOf = (node: string) => objects('Node').find((n) => n.metadata.name === node)!.metadata.labels!
const chatObjects = () => sim.world().cluster!.objects.filter((o) => ['ConfigMap', 'PersistentVolumeClaim', 'Deployment', 'Service'].includes(o.kind) && o.metadata.namespace === 'default').map((o) => `${o.kind}/${o.metadata.name}`).sort()
const aiRequestsFrom = (host: string) => sim.argvs('curl', host).filter((a) => a.includes(':8005'))

/** phone-a: a k3s server (its node name recorded, as the install scripts do). */
function onePhone() {
  sim.setup('phone-a', 'server')
}

/** phone-a and phone-b in the tailnet, phone-b joined as an agent; the laptop in the tailnet too. */
function twoPhones() {
  sim.setup('phone-a', 'tailscale', 'server-on-tailnet')
  sim.setup('phone-b', 'tailscale', 'agent')
  sim.setup('laptop', 'tailscale')
}

/** The chat deployed and ready on NODE, from the control plane. */
function chatOn(node: string) {
  const r = sim.sh('phone-a', `kubectl label node ${node} llm=true --overwrite >/dev/null\nkubectl apply -f "${REPO_ROOT}/chat-demo/manifests" >/dev/null\nkubectl rollout status deployment/chat --timeout=300s >/dev/null`)
  expect(r.code, r.output).toBe(0)
  sim.resetCalls()
}

/** socat installed on a phone (sudo apt-get install -y socat). */
const installSocat = (host: string) => sim.update((w) => void w.hosts[host].programs.push('socat'))

describe('00-deploy-chat-no-label.sh', SLOW, () => {
  beforeEach(onePhone)

  it("applies the manifests and shows the scheduler's FailedScheduling message", () => {
    const r = run('phone-a', '00-deploy-chat-no-label.sh')
    expect(r.code, r.output).toBe(0)
    expect(chatObjects()).toEqual(['ConfigMap/chat-commands', 'Deployment/chat', 'PersistentVolumeClaim/chat-data', 'Service/chat'])
    expect(chatPods().map((p) => p.status?.phase)).toEqual(['Pending'])
    expect(r.stdout).toContain("FailedScheduling: 0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector.")
    expect(r.stdout).toContain('no node has that label yet')
    expect(r.stdout).toContain('00-label-llm.sh')
    expect(sim.calls('hostname')).toEqual([])
  })

  it('refuses when a node already carries the label, because nothing would be Pending', () => {
    sim.sh('phone-a', 'kubectl label node phone-a llm=true')
    const r = run('phone-a', '00-deploy-chat-no-label.sh')
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('already carry llm=true: phone-a')
    expect(r.stderr).toContain('99-unset-llm-label.sh')
    expect(chatObjects()).toEqual([])
  })

  it('says when the cluster is not reachable', () => {
    sim.sh('phone-a', 'sudo systemctl stop k3s')
    const r = run('phone-a', '00-deploy-chat-no-label.sh')
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('sudo systemctl status k3s')
  })
})

describe('00-label-llm.sh', SLOW, () => {
  const [[key, value]] = Object.entries(podSpec().nodeSelector as Record<string, string>) as [[string, string]]
  beforeEach(onePhone)

  it("labels this phone's recorded node (not the VM's hostname) with the chat's nodeSelector", () => {
    const r = run('phone-a', '00-label-llm.sh')
    expect(r.code, r.output).toBe(0)
    expect(labelsOf('phone-a')[key]).toBe(value)
    expect(r.stdout).toContain('node/phone-a labeled')
    expect(sim.calls('hostname')).toEqual([])
  })

  it('labels the node given as argument, and lets a Pending chat be scheduled there', () => {
    expect(run('phone-a', '00-deploy-chat-no-label.sh').code).toBe(0)
    expect(run('phone-a', '00-label-llm.sh', ['phone-a']).code).toBe(0)
    const deploy = run('phone-a', '01-deploy-chat.sh')
    expect(deploy.code, deploy.output).toBe(0)
    expect(deploy.stdout).toContain('The chat runs on phone-a')
    expect(chatPods().map((p) => [(p.spec as { nodeName?: string }).nodeName, p.status?.phase])).toEqual([['phone-a', 'Running']])
  })

  it('names the recorded-node file when no node is recorded and none is given', () => {
    sim.sh('phone-a', 'sudo rm "$DEMO_SYSROOT/etc/rancher/k3s/config.yaml"')
    const r = run('phone-a', '00-label-llm.sh')
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('etc/rancher/k3s/config.yaml')
    expect(r.stderr).toContain('00-label-llm.sh phone-b')
    expect(labelsOf('phone-a')[key]).toBeUndefined()
  })

  it('refuses a node that does not exist and lists the real ones', () => {
    const r = run('phone-a', '00-label-llm.sh', ['debian'])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('There is no node called debian')
    expect(r.stderr).toContain('The nodes are: phone-a')
  })
})

describe('99-unset-llm-label.sh', SLOW, () => {
  beforeEach(() => {
    onePhone()
    chatOn('phone-a')
  })

  it('removes the label from the recorded node, and says that the running chat stays where it is', () => {
    const r = run('phone-a', '99-unset-llm-label.sh')
    expect(r.code, r.output).toBe(0)
    expect(labelsOf('phone-a').llm).toBeUndefined()
    expect(r.stdout).toContain('The chat keeps running on phone-a')
    expect(chatPods().map((p) => p.status?.phase)).toEqual(['Running'])
  })
})

describe('01-deploy-chat.sh', SLOW, () => {
  beforeEach(onePhone)
  const label = () => sim.sh('phone-a', 'kubectl label node phone-a llm=true')

  it('refuses to deploy while no node is labelled, and says how to label one', () => {
    const r = run('phone-a', '01-deploy-chat.sh')
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('No node carries the label llm=true')
    expect(r.stderr).toContain('00-label-llm.sh')
    expect(chatObjects()).toEqual([])
  })

  it('applies, waits for the rollout, and prints the URLs on port 8080', () => {
    label()
    const r = run('phone-a', '01-deploy-chat.sh')
    expect(r.code, r.output).toBe(0)
    expect(sim.argvs('kubectl')).toContain('rollout status deployment/chat --timeout=300s')
    expect(chatPods().map((p) => p.status?.phase)).toEqual(['Running'])
    expect(r.stdout).toContain('http://localhost:8080')
    expect(r.stdout).toContain('http://phone-a:8080')
    expect(r.stdout).toContain(`http://${PHONE_A_LAN}:8080`)
    expect(r.stdout).toContain('on phone-a: chat-demo/scripts/05-open-chat-to-room.sh')
  })

  it("explains an image that can't be pulled (not published, or private)", () => {
    sim.update((w) => void (w.registry = w.registry.filter((i) => i !== CHAT_IMAGE)))
    label()
    const r = run('phone-a', '01-deploy-chat.sh')
    expect(r.code).toBe(1)
    expect(r.output).toContain('ImagePullBackOff')
    expect(r.stdout).toContain(`Failed to pull image "${CHAT_IMAGE}"`)
    expect(r.stderr).toContain("An image of the chat can't be pulled: not published, private, or misspelt.")
    expect(r.stderr).toContain('section 2')
  })

  it('explains images still downloading on slow Wi-Fi, and how to go on', () => {
    sim.update((w) => void (w.networkSlowdown = 20))
    label()
    const r = run('phone-a', '01-deploy-chat.sh')
    expect(r.code).toBe(1)
    expect(r.seconds).toBeGreaterThanOrEqual(300)
    expect(r.stdout).toContain(`Pulling image "${CHAT_IMAGE}"`)
    expect(r.stderr).toContain('The images are still downloading')
    expect(r.stderr).toContain('kubectl rollout status deployment/chat --timeout=600s')
    expect(chatPods().map((p) => p.status?.phase)).toEqual(['Pending'])
  })

  it('explains a Pending pod when another host-network pod holds port 8080 on the labelled phone', () => {
    const web = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      hostNetwork: true
      containers: [{name: web, image: ealen/echo-server:0.9.2, ports: [{containerPort: 8080}]}]`
    expect(sim.sh('phone-a', 'kubectl apply -f - >/dev/null\nkubectl rollout status deployment/web --timeout=120s >/dev/null', { input: web }).code).toBe(0)
    label()
    const r = run('phone-a', '01-deploy-chat.sh')
    expect(r.code).toBe(1)
    expect(r.stdout).toContain("didn't have free ports for the requested pod ports")
    expect(r.stderr).toContain('Another pod with the host network holds port 8080')
    expect(r.stderr).toContain('--field-selector spec.nodeName=phone-a')
  })
})

describe('01-deploy-chat.sh with two phones', SLOW, () => {
  beforeEach(twoPhones)

  it('refuses at once when the labelled phone is not Ready, instead of waiting five minutes', () => {
    sim.sh('phone-a', 'kubectl label node phone-b llm=true')
    sim.update((w) => void (w.hosts['phone-b'].awake = false))
    sim.wait(60)
    const r = run('phone-a', '01-deploy-chat.sh')
    expect(r.code).toBe(1)
    expect(r.seconds).toBeLessThan(30)
    expect(r.stderr).toContain("phone-b carries llm=true but isn't Ready")
    expect(chatObjects()).toEqual([])
  })

  it('refuses at once when the label moved away from the phone that holds the history', () => {
    chatOn('phone-b')
    expect(run('phone-a', '03-undeploy-chat.sh').code).toBe(0)
    expect(run('phone-a', '99-unset-llm-label.sh', ['phone-b']).code).toBe(0)
    const label = run('phone-a', '00-label-llm.sh', ['phone-a'])
    expect(label.stderr).toContain("The chat's data volume lives on phone-b")
    const r = run('phone-a', '01-deploy-chat.sh')
    expect(r.code).toBe(1)
    expect(r.seconds).toBeLessThan(30)
    expect(r.stderr).toContain("The chat's history (volume chat-data) lives on phone-b, which doesn't carry llm=true")
    expect(r.stderr).toContain('03-undeploy-chat.sh --purge')
    expect(objects('Deployment').filter((d) => d.metadata.name === 'chat')).toEqual([])
  })
})

describe('02-test-chat.sh on the control plane', SLOW, () => {
  beforeEach(() => {
    onePhone()
    chatOn('phone-a')
  })

  it('checks readiness through the Service, shows who answered /whoami, and explains an unreachable AI app', () => {
    const r = run('phone-a', '02-test-chat.sh')
    const [pod] = chatPods() as [KObject]
    const ip = (objects('Service').find((s) => s.metadata.name === 'chat')!.spec as { clusterIP: string }).clusterIP
    expect(r.stdout).toContain(`The chat's Service: http://${ip}:8080`)
    expect(r.stdout).toContain('"status":"ready"')
    expect(r.stdout).toContain(`${pod.metadata.name} on phone-a answered: Hello from pod ${pod.metadata.name} on node phone-a\n`)
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('The chat says: No answer from the AI app at http://127.0.0.1:8005')
    expect(r.stdout).toContain('start its server')
    expect(r.stderr).toContain("The chat on phone-a can't reach the AI app at http://127.0.0.1:8005")
    expect(r.stderr).toContain('On phone-a run chat-demo/scripts/04-check-llm.sh')
  })

  it('passes once the chat reaches the AI app (through the forwarder of 04-check-llm.sh)', () => {
    installSocat('phone-a')
    expect(run('phone-a', '04-check-llm.sh', ['--forward']).code).toBe(0)
    const r = run('phone-a', '02-test-chat.sh')
    expect(r.code, r.output).toBe(0)
    expect(r.stdout).toContain('The AI app answers the chat on phone-a: local-android-ai 1.2.0: running')
  })

  it('says what to do when the chat does not answer', () => {
    sim.sh('phone-a', 'kubectl scale deployment/chat --replicas=0 >/dev/null\nsleep 5')
    const r = run('phone-a', '02-test-chat.sh')
    expect(r.code).toBe(1)
    expect(r.seconds).toBeLessThan(30)
    expect(r.stderr).toMatch(/The chat at http:\/\/10\.43\.[\d.]+:8080 doesn't answer, or isn't ready/)
    expect(r.stderr).toContain('01-deploy-chat.sh')
  })

  it('says to deploy first when there is no Service', () => {
    sim.sh('phone-a', `kubectl delete -f "${REPO_ROOT}/chat-demo/manifests/chat.yaml" >/dev/null`)
    const r = run('phone-a', '02-test-chat.sh')
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('There is no Service chat')
  })
})

describe('02-test-chat.sh from the laptop and the other phone', SLOW, () => {
  beforeEach(() => {
    twoPhones()
    chatOn('phone-b')
  })
  const chatUrl = { env: { CHAT_URL: 'http://phone-b:8080' } }

  it("with CHAT_URL, as its usage says: the chat itself checks its phone's AI app, not the laptop's localhost", () => {
    installSocat('phone-b')
    expect(run('phone-b', '04-check-llm.sh', ['--forward']).code).toBe(0)
    const r = run('laptop', '02-test-chat.sh', [], chatUrl)
    expect(r.code, r.output).toBe(0)
    expect(r.stdout).toContain('on phone-b answered: Hello from pod')
    expect(r.stdout).toContain('The AI app answers the chat on phone-b')
    expect(aiRequestsFrom('laptop')).toEqual([])
  })

  it('with CHAT_URL of a phone asleep: ends within seconds and says what to check', () => {
    sim.update((w) => void (w.hosts['phone-b'].awake = false))
    const r = run('laptop', '02-test-chat.sh', [], chatUrl)
    expect(r.code).toBe(1)
    expect(r.seconds).toBeLessThan(30)
    expect(r.stderr).toContain("The chat at http://phone-b:8080 doesn't answer")
    expect(r.stderr).toContain('Is phone-b awake (Terminal app open) and in the tailnet')
  })

  it("without CHAT_URL on the laptop (with the cluster's kubeconfig): finds the chat on its phone, not at the unreachable ClusterIP", () => {
    const cp = sim.sh('laptop', 'tailscale ip -4 phone-a').stdout.trim()
    sim.write('laptop', '~/.kube/config', sim.read('phone-a', '/etc/rancher/k3s/k3s.yaml').replace('https://127.0.0.1:6443', `https://${cp}:6443`))
    sim.update((w) => void w.hosts.laptop.programs.push('kubectl'))
    const r = run('laptop', '02-test-chat.sh')
    expect(r.seconds).toBeLessThan(30)
    expect(r.stdout).toContain('The chat runs on phone-b (not a cluster node here, so not through the Service): http://phone-b:8080')
    expect(r.stdout).toContain('on phone-b answered: Hello from pod')
    expect(r.stderr).toContain('On phone-b run chat-demo/scripts/04-check-llm.sh')
  })

  it('on the agent phone without CHAT_URL: says to run it on phone-a or to name the chat', () => {
    const r = run('phone-b', '02-test-chat.sh')
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('CHAT_URL=http://phone-b:8080')
    expect(sim.calls('kubectl', 'phone-b')).toEqual([])
  })
})

describe('03-undeploy-chat.sh', SLOW, () => {
  beforeEach(() => {
    onePhone()
    chatOn('phone-a')
  })

  it('removes the app but keeps the data volume', () => {
    const r = run('phone-a', '03-undeploy-chat.sh')
    expect(r.code, r.output).toBe(0)
    expect(chatObjects()).toEqual(['PersistentVolumeClaim/chat-data'])
    expect(chatPods()).toEqual([])
    expect(r.stdout).toContain('its history stays in the volume chat-data')
  })

  it('--purge deletes the data volume too, once the pod is gone', () => {
    const r = run('phone-a', '03-undeploy-chat.sh', ['--purge'])
    expect(r.code, r.output).toBe(0)
    expect(chatObjects()).toEqual([])
    expect(objects('PersistentVolume')).toEqual([])
    const calls = sim.argvs('kubectl')
    expect(calls.findIndex((c) => c.includes('chat-data.yaml'))).toBeGreaterThan(calls.findLastIndex((c) => c.startsWith('get pods')))
  })

  it('is harmless when nothing is deployed', () => {
    expect(run('phone-a', '03-undeploy-chat.sh').code).toBe(0)
    const r = run('phone-a', '03-undeploy-chat.sh', ['--purge'])
    expect(r.code, r.output).toBe(0)
  })
})

describe('03-undeploy-chat.sh --purge with the chat on a phone asleep', SLOW, () => {
  beforeEach(() => {
    twoPhones()
    chatOn('phone-b')
    sim.update((w) => void (w.hosts['phone-b'].awake = false))
  })

  it("doesn't hang on the claim's protection: says that the pod can't stop and how to go on", () => {
    const r = run('phone-a', '03-undeploy-chat.sh', ['--purge'])
    expect(r.hung).toBeNull()
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/Pod chat-\S+ on phone-b is still Terminating/)
    expect(r.stderr).toContain('so its history stays')
    expect(r.stderr).toContain('--force --grace-period=0')
    expect(chatObjects()).toEqual(['PersistentVolumeClaim/chat-data'])
  })
})

describe('04-check-llm.sh', SLOW, () => {
  const gateway = () => sim.world().hosts['phone-a'].lan.gateway
  beforeEach(() => {
    onePhone()
    installSocat('phone-a')
  })

  it("finds the AI app at the VM's default gateway (Android) and offers a loopback-only forwarder without starting it unasked", () => {
    const r = run('phone-a', '04-check-llm.sh')
    expect(r.code, r.output).toBe(0)
    expect(r.stdout).toContain(`The AI app answers at http://${gateway()}:8005`)
    expect(r.stdout).toContain(`socat TCP-LISTEN:8005,bind=127.0.0.1,fork,reuseaddr TCP:${gateway()}:8005`)
    expect(sim.calls('socat')).toEqual([])
  })

  it('--forward bridges localhost:8005 to the AI app on the loopback only (not on the tailnet or the LAN)', () => {
    const r = run('phone-a', '04-check-llm.sh', ['--forward'])
    expect(r.code, r.output).toBe(0)
    expect(r.stdout).toContain('the AI app through the forwarder')
    expect(r.stdout).toContain('GEMMA_3_1B_IT (downloaded)')
    expect(sim.world().hosts['phone-a'].forwarders.map((f) => [f.bindAddress, f.port, f.target])).toEqual([['127.0.0.1', 8005, `${gateway()}:8005`]])
    expect(sim.sh('phone-a', 'curl -fsS --max-time 3 http://127.0.0.1:8005/health').code).toBe(0)
    const outside = sim.sh('phone-a', `curl -sS --max-time 3 http://${PHONE_A_LAN}:8005/health || echo "exit $?"`)
    expect(outside.stdout).toContain('exit 7')
  })

  it('a re-run finds the running forwarder and starts no second one', () => {
    expect(run('phone-a', '04-check-llm.sh', ['--forward']).code).toBe(0)
    const r = run('phone-a', '04-check-llm.sh', ['--forward'])
    expect(r.code, r.output).toBe(0)
    expect(r.stdout).toContain('The AI app answers at http://localhost:8005')
    expect(sim.world().hosts['phone-a'].forwarders).toHaveLength(1)
  })

  it('says exactly what to check on the phone when the app is nowhere', () => {
    sim.update((w) => void (w.hosts['phone-a'].aiApp!.running = false))
    const r = run('phone-a', '04-check-llm.sh', ['--forward'])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(`asked: ${gateway()}`)
    expect(r.stdout).toContain('github.com/parttimenerd/local-android-ai')
    expect(r.stdout).toContain('http://localhost:8005/health')
    expect(r.stdout).toContain('Battery optimisation')
    expect(r.stderr).toContain("The phone's AI app isn't reachable from this VM")
    expect(sim.calls('socat')).toEqual([])
  })

  it('spots something else holding the port', () => {
    sim.sh('phone-a', 'nohup socat TCP-LISTEN:8005,bind=127.0.0.1,fork TCP:192.0.2.1:8005 >/dev/null 2>&1 &\nuntil ss -Hltn "sport = :8005" | grep -q .; do :; done')
    sim.resetCalls()
    const r = run('phone-a', '04-check-llm.sh', ['--forward'])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain("Something listens on port 8005 in this VM but doesn't answer")
    expect(sim.calls('socat')).toEqual([])
  })

  it('on the laptop: says to run it on the phone with the AI app', () => {
    const r = run('laptop', '04-check-llm.sh')
    expect(r.code).toBe(1)
    expect(r.stderr).toContain("This isn't a phone of the cluster")
    expect(r.stderr).toContain('ssh droid@phone-b')
  })
})

describe('05-open-chat-to-room.sh and 06-close-chat-to-room.sh', SLOW, () => {
  const PUBLIC_URL = 'https://phone-a.tail1234.ts.net/'
  /** The chat's audience listener (AUDIENCE_PORT, on the loopback), as the chat app's new version has it. */
  const withAudienceListener = () =>
    sim.update((w) => {
      for (const pod of w.cluster!.objects.filter((o) => o.kind === 'Pod')) {
        const chat = (pod.spec as { containers: Array<{ image: string; env?: Array<{ name: string; value?: string }> }> }).containers.find((c) => c.image === CHAT_IMAGE)
        if (chat && !chat.env?.some((e) => e.name === 'AUDIENCE_PORT')) chat.env!.push({ name: 'AUDIENCE_PORT', value: '8090' })
      }
    })
  const allow = (https: boolean, funnel: boolean) => sim.update((w) => Object.assign(w.tailnet, { https, funnel }))
  const serve = () => sim.world().hosts['phone-a'].tailscale.serve

  beforeEach(() => {
    sim.setup('phone-a', 'tailscale', 'server-on-tailnet')
    chatOn('phone-a')
    withAudienceListener()
    allow(true, true)
  })

  it('publishes the audience listener on 443, prints the public URL and how to put it into project.json', () => {
    const r = run('phone-a', '05-open-chat-to-room.sh')
    expect(r.code, r.output).toBe(0)
    expect(serve()).toEqual([{ https: 443, target: 'http://127.0.0.1:8090', funnel: true }])
    expect(sim.argvs('tailscale', 'phone-a')).toContain('funnel --bg --https=443 http://127.0.0.1:8090')
    expect(r.stdout).toContain(`The chat is open to the room: ${PUBLIC_URL}`)
    expect(r.stdout).toContain(`"chatPublicUrl": "${PUBLIC_URL}"`)
    expect(r.stdout).toContain('http://phone-a:8080 stays in the tailnet')
  })

  it('a re-run changes nothing and prints the same URL', () => {
    expect(run('phone-a', '05-open-chat-to-room.sh').code).toBe(0)
    sim.resetCalls()
    const r = run('phone-a', '05-open-chat-to-room.sh')
    expect(r.code, r.output).toBe(0)
    expect(r.stdout).toContain('Already published: nothing to change.')
    expect(r.stdout).toContain(PUBLIC_URL)
    expect(sim.argvs('tailscale').filter((a) => a.startsWith('funnel --bg'))).toEqual([])
    expect(serve()).toHaveLength(1)
  })

  it("explains missing HTTPS certificates instead of hanging in tailscale's enable prompt", () => {
    allow(false, false)
    const r = run('phone-a', '05-open-chat-to-room.sh')
    expect(r.hung).toBeNull()
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('The tailnet has no HTTPS certificates')
    expect(r.stderr).toContain('https://login.tailscale.com/admin/dns')
    expect(serve()).toEqual([])
  })

  it('explains a tailnet policy without the funnel node attribute', () => {
    allow(true, false)
    const r = run('phone-a', '05-open-chat-to-room.sh')
    expect(r.hung).toBeNull()
    expect(r.code).toBe(1)
    expect(r.stderr).toContain("doesn't give this phone the funnel attribute")
    expect(r.stderr).toContain('"attr": ["funnel"]')
    expect(serve()).toEqual([])
  })

  it('says when this phone is not connected to the tailnet', () => {
    sim.sh('phone-a', 'sudo tailscale down')
    const r = run('phone-a', '05-open-chat-to-room.sh')
    expect(r.code).toBe(1)
    expect(r.stderr).toContain("This phone isn't connected to the tailnet (Tailscale: Stopped)")
    expect(r.stderr).toContain('07-setup-tailscale.sh')
  })

  it('refuses on a machine where the chat does not run', () => {
    sim.setup('laptop', 'tailscale')
    const r = run('laptop', '05-open-chat-to-room.sh')
    expect(r.code).toBe(1)
    expect(r.stderr).toContain("The chat doesn't answer on this machine (127.0.0.1:8080)")
    expect(r.stderr).toContain('labelled llm=true')
    expect(sim.calls('tailscale', 'laptop')).toEqual([])
  })

  it('refuses a chat without the audience listener: publishing nothing on the internet', () => {
    sim.update((w) => {
      for (const pod of w.cluster!.objects.filter((o) => o.kind === 'Pod')) {
        const chat = (pod.spec as { containers: Array<{ image: string; env?: Array<{ name: string }> }> }).containers.find((c) => c.image === CHAT_IMAGE)
        if (chat) chat.env = chat.env!.filter((e) => e.name !== 'AUDIENCE_PORT')
      }
    })
    const r = run('phone-a', '05-open-chat-to-room.sh')
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('nothing answers at http://127.0.0.1:8090')
    expect(r.stderr).toContain('AUDIENCE_PORT=8090')
    expect(serve()).toEqual([])
  })

  it("won't replace something else published on port 443", () => {
    sim.sh('phone-a', 'sudo tailscale serve --bg --https=443 http://127.0.0.1:3000 >/dev/null')
    const r = run('phone-a', '05-open-chat-to-room.sh')
    expect(r.code, r.output).toBe(1)
    expect(r.stderr).toContain('already serves http://127.0.0.1:3000 (in the tailnet)')
    expect(serve()).toEqual([{ https: 443, target: 'http://127.0.0.1:3000', funnel: false }])
  })

  it('06 takes the funnel down; the chat keeps running for the tailnet', () => {
    expect(run('phone-a', '05-open-chat-to-room.sh').code).toBe(0)
    const r = run('phone-a', '06-close-chat-to-room.sh')
    expect(r.code, r.output).toBe(0)
    expect(sim.argvs('tailscale', 'phone-a')).toContain('funnel --https=443 off')
    expect(serve()).toEqual([])
    expect(r.stdout).toContain('The chat is closed to the room')
    expect(chatPods().map((p) => p.status?.phase)).toEqual(['Running'])
  })

  it('06 is a no-op when nothing is published, and leaves alone what is not the chat', () => {
    let r = run('phone-a', '06-close-chat-to-room.sh')
    expect(r.code, r.output).toBe(0)
    expect(r.stdout).toContain('Nothing is published on port 443 of phone-a.tail1234.ts.net')
    sim.sh('phone-a', 'sudo tailscale serve --bg --https=443 http://127.0.0.1:3000 >/dev/null')
    r = run('phone-a', '06-close-chat-to-room.sh')
    expect(r.code, r.output).toBe(0)
    expect(r.stderr).toContain('serves http://127.0.0.1:3000, not the chat')
    expect(serve()).toHaveLength(1)
    expect(sim.argvs('tailscale').filter((a) => a.includes('off'))).toEqual([])
  })
})
