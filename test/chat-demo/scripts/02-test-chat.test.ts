// chat-demo/scripts/02-test-chat.sh on the control plane, the other phone and the laptop: the chat answers, and reaches the AI app.
import type { KObject } from '../../../tools/phone-sim/world.ts'
import { beforeEach, describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../../../tools/phone-sim/index.ts'
import { chatDemo, scenes, useSim } from '../../support/script-scenes.ts'

const sim = useSim()
const { onePhone, twoPhones, chatOn, install, objects, chatPods } = scenes(sim)
const aiRequestsFrom = (host: string) => sim.argvs('curl', host).filter(a => a.includes(':8005'))

describe('02-test-chat.sh on the control plane', () => {
  beforeEach(() => {
    onePhone()
    chatOn('phone-a')
  })

  it('checks readiness through the Service, shows who answered /whoami, and explains an unreachable AI app', () => {
    const r = sim.run('phone-a', chatDemo('02-test-chat.sh'))
    const [pod] = chatPods() as [KObject]
    const ip = (objects('Service').find(s => s.metadata.name === 'chat')!.spec as { clusterIP: string }).clusterIP
    expect(r.stdout).toContain(`The chat's Service: http://${ip}:8080`)
    expect(r.stdout).toContain('"status":"ready"')
    expect(r.stdout).toContain(`${pod.metadata.name} on phone-a answered: Hello from pod ${pod.metadata.name} on node phone-a\n`)
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('The chat says: No answer from the AI app at http://127.0.0.1:8005')
    expect(r.stdout).toContain('start its server')
    expect(r.stderr).toContain('The chat on phone-a can\'t reach the AI app at http://127.0.0.1:8005')
    expect(r.stderr).toContain('On phone-a run chat-demo/scripts/04-check-llm.sh')
  })

  it('passes once the chat reaches the AI app (through the forwarder of 04-check-llm.sh)', () => {
    install('phone-a', 'socat')
    expect(sim.run('phone-a', chatDemo('04-check-llm.sh'), ['--forward']).code).toBe(0)
    const r = sim.run('phone-a', chatDemo('02-test-chat.sh'))
    expect(r.code, r.output).toBe(0)
    expect(r.stdout).toContain('The AI app answers the chat on phone-a: local-android-ai 1.2.0: running')
  })

  it('says what to do when the chat does not answer', () => {
    sim.sh('phone-a', 'kubectl scale deployment/chat --replicas=0 >/dev/null\nsleep 5')
    const r = sim.run('phone-a', chatDemo('02-test-chat.sh'))
    expect(r.code).toBe(1)
    expect(r.seconds).toBeLessThan(30)
    expect(r.stderr).toMatch(/The chat at http:\/\/10\.43\.[\d.]+:8080 doesn't answer, or isn't ready/)
    expect(r.stderr).toContain('01-deploy-chat.sh')
  })

  it('says to deploy first when there is no Service', () => {
    sim.sh('phone-a', `kubectl delete -f "${REPO_ROOT}/chat-demo/manifests/chat.yaml" >/dev/null`)
    const r = sim.run('phone-a', chatDemo('02-test-chat.sh'))
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('There is no Service chat')
  })
})

describe('02-test-chat.sh from the laptop and the other phone', () => {
  beforeEach(() => {
    twoPhones()
    chatOn('phone-b')
  })
  const chatUrl = { env: { CHAT_URL: 'http://phone-b:8080' } }

  it('with CHAT_URL, as its usage says: the chat itself checks its phone\'s AI app, not the laptop\'s localhost', () => {
    install('phone-b', 'socat')
    expect(sim.run('phone-b', chatDemo('04-check-llm.sh'), ['--forward']).code).toBe(0)
    const r = sim.run('laptop', chatDemo('02-test-chat.sh'), [], chatUrl)
    expect(r.code, r.output).toBe(0)
    expect(r.stdout).toContain('on phone-b answered: Hello from pod')
    expect(r.stdout).toContain('The AI app answers the chat on phone-b')
    expect(aiRequestsFrom('laptop')).toEqual([])
  })

  it('with CHAT_URL of a phone asleep: ends within seconds and says what to check', () => {
    sim.update(w => void (w.hosts['phone-b'].awake = false))
    const r = sim.run('laptop', chatDemo('02-test-chat.sh'), [], chatUrl)
    expect(r.code).toBe(1)
    expect(r.seconds).toBeLessThan(30)
    expect(r.stderr).toContain('The chat at http://phone-b:8080 doesn\'t answer')
    expect(r.stderr).toContain('Is phone-b awake (Terminal app open) and in the tailnet')
  })

  it('without CHAT_URL on the laptop (with the cluster\'s kubeconfig): finds the chat on its phone, not at the unreachable ClusterIP', () => {
    const cp = sim.sh('laptop', 'tailscale ip -4 phone-a').stdout.trim()
    sim.write('laptop', '~/.kube/config', sim.read('phone-a', '/etc/rancher/k3s/k3s.yaml').replace('https://127.0.0.1:6443', `https://${cp}:6443`))
    sim.update(w => void w.hosts.laptop.programs.push('kubectl'))
    const r = sim.run('laptop', chatDemo('02-test-chat.sh'))
    expect(r.seconds).toBeLessThan(30)
    expect(r.stdout).toContain('The chat runs on phone-b (not a cluster node here, so not through the Service): http://phone-b:8080')
    expect(r.stdout).toContain('on phone-b answered: Hello from pod')
    expect(r.stderr).toContain('On phone-b run chat-demo/scripts/04-check-llm.sh')
  })

  it('on the agent phone without CHAT_URL: says to run it on phone-a or to name the chat', () => {
    const r = sim.run('phone-b', chatDemo('02-test-chat.sh'))
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('CHAT_URL=http://phone-b:8080')
    expect(sim.calls('kubectl', 'phone-b')).toEqual([])
  })
})
