// chat-demo/scripts/01-deploy-chat.sh on one phone and on two: the rollout, or why the chat waits and what to do.
import { beforeEach, describe, expect, it } from 'vitest'
import { CHAT_IMAGE, PHONE_A_LAN } from '../../../tools/phone-sim/index.ts'
import { chatDemo, scenes, useSim } from '../../support/script-scenes.ts'

const sim = useSim()
const { twoPhones, onePhone, chatOn, objects, chatPods, chatObjects } = scenes(sim)

describe('01-deploy-chat.sh', () => {
  beforeEach(() => onePhone())
  const label = () => sim.sh('phone-a', 'kubectl label node phone-a llm=true')

  it('refuses to deploy while no node is labelled, and says how to label one', () => {
    const r = sim.run('phone-a', chatDemo('01-deploy-chat.sh'))
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('No node carries the label llm=true')
    expect(r.stderr).toContain('00-label-llm.sh')
    expect(chatObjects()).toEqual([])
  })

  it('applies, waits for the rollout, and prints the URLs on port 8080', () => {
    label()
    const r = sim.run('phone-a', chatDemo('01-deploy-chat.sh'))
    expect(r.code, r.output).toBe(0)
    expect(sim.argvs('kubectl')).toContain('rollout status deployment/chat --timeout=300s')
    expect(chatPods().map(p => p.status?.phase)).toEqual(['Running'])
    expect(r.stdout).toContain('http://localhost:8080')
    expect(r.stdout).toContain('http://phone-a:8080')
    expect(r.stdout).toContain(`http://${PHONE_A_LAN}:8080`)
    expect(r.stdout).toContain('on phone-a: chat-demo/scripts/05-open-chat-to-room.sh')
  })

  it('explains an image that can\'t be pulled (not published, or private)', () => {
    sim.update(w => void (w.registry = w.registry.filter(i => i !== CHAT_IMAGE)))
    label()
    const r = sim.run('phone-a', chatDemo('01-deploy-chat.sh'))
    expect(r.code).toBe(1)
    expect(r.output).toContain('ImagePullBackOff')
    expect(r.stdout).toContain(`Failed to pull image "${CHAT_IMAGE}"`)
    expect(r.stderr).toContain('An image of the chat can\'t be pulled: not published, private, or misspelt.')
    expect(r.stderr).toContain('section 2')
  })

  it('explains images still downloading on slow Wi-Fi, and how to go on', () => {
    sim.update(w => void (w.networkSlowdown = 20))
    label()
    const r = sim.run('phone-a', chatDemo('01-deploy-chat.sh'))
    expect(r.code).toBe(1)
    expect(r.seconds).toBeGreaterThanOrEqual(300)
    expect(r.stdout).toContain(`Pulling image "${CHAT_IMAGE}"`)
    expect(r.stderr).toContain('The images are still downloading')
    expect(r.stderr).toContain('kubectl rollout status deployment/chat --timeout=600s')
    expect(chatPods().map(p => p.status?.phase)).toEqual(['Pending'])
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
    const r = sim.run('phone-a', chatDemo('01-deploy-chat.sh'))
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('didn\'t have free ports for the requested pod ports')
    expect(r.stderr).toContain('Another pod with the host network holds port 8080')
    expect(r.stderr).toContain('--field-selector spec.nodeName=phone-a')
  })
})

describe('01-deploy-chat.sh with two phones', () => {
  beforeEach(() => twoPhones())

  it('refuses at once when the labelled phone is not Ready, instead of waiting five minutes', () => {
    sim.sh('phone-a', 'kubectl label node phone-b llm=true')
    sim.update(w => void (w.hosts['phone-b'].awake = false))
    sim.wait(60)
    const r = sim.run('phone-a', chatDemo('01-deploy-chat.sh'))
    expect(r.code).toBe(1)
    expect(r.seconds).toBeLessThan(30)
    expect(r.stderr).toContain('phone-b carries llm=true but isn\'t Ready')
    expect(chatObjects()).toEqual([])
  })

  it('refuses at once when the label moved away from the phone that holds the history', () => {
    chatOn('phone-b')
    expect(sim.run('phone-a', chatDemo('03-undeploy-chat.sh')).code).toBe(0)
    expect(sim.run('phone-a', chatDemo('99-unset-llm-label.sh'), ['phone-b']).code).toBe(0)
    const label = sim.run('phone-a', chatDemo('00-label-llm.sh'), ['phone-a'])
    expect(label.stderr).toContain('The chat\'s data volume lives on phone-b')
    const r = sim.run('phone-a', chatDemo('01-deploy-chat.sh'))
    expect(r.code).toBe(1)
    expect(r.seconds).toBeLessThan(30)
    expect(r.stderr).toContain('The chat\'s history (volume chat-data) lives on phone-b, which doesn\'t carry llm=true')
    expect(r.stderr).toContain('03-undeploy-chat.sh --purge')
    expect(objects('Deployment').filter(d => d.metadata.name === 'chat')).toEqual([])
  })
})
