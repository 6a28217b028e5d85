// chat-demo/scripts/00-label-llm.sh on the control plane: the label the chat's nodeSelector asks for.
import { beforeEach, describe, expect, it } from 'vitest'
import { chatDemo, scenes, useSim } from '../../support/script-scenes.ts'
import { podSpec } from '../manifests.ts'

const sim = useSim()
const { onePhone, chatPods, labelsOf } = scenes(sim)

describe('00-label-llm.sh', () => {
  const [[key, value]] = Object.entries(podSpec().nodeSelector as Record<string, string>) as [[string, string]]
  beforeEach(() => onePhone())

  it('labels this phone\'s recorded node (not the VM\'s hostname) with the chat\'s nodeSelector', () => {
    const r = sim.run('phone-a', chatDemo('00-label-llm.sh'))
    expect(r.code, r.output).toBe(0)
    expect(labelsOf('phone-a')[key]).toBe(value)
    expect(r.stdout).toContain('node/phone-a labeled')
    expect(sim.calls('hostname')).toEqual([])
  })

  it('labels the node given as argument, and lets a Pending chat be scheduled there', () => {
    expect(sim.run('phone-a', chatDemo('00-deploy-chat-no-label.sh')).code).toBe(0)
    expect(sim.run('phone-a', chatDemo('00-label-llm.sh'), ['phone-a']).code).toBe(0)
    const deploy = sim.run('phone-a', chatDemo('01-deploy-chat.sh'))
    expect(deploy.code, deploy.output).toBe(0)
    expect(deploy.stdout).toContain('The chat runs on phone-a')
    expect(chatPods().map(p => [(p.spec as { nodeName?: string }).nodeName, p.status?.phase])).toEqual([['phone-a', 'Running']])
  })

  it('names the recorded-node file when no node is recorded and none is given', () => {
    sim.sh('phone-a', 'sudo rm "$DEMO_SYSROOT/etc/rancher/k3s/config.yaml"')
    const r = sim.run('phone-a', chatDemo('00-label-llm.sh'))
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('etc/rancher/k3s/config.yaml')
    expect(r.stderr).toContain('00-label-llm.sh phone-b')
    expect(labelsOf('phone-a')[key]).toBeUndefined()
  })

  it('refuses a node that does not exist and lists the real ones', () => {
    const r = sim.run('phone-a', chatDemo('00-label-llm.sh'), ['debian'])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('There is no node called debian')
    expect(r.stderr).toContain('The nodes are: phone-a')
  })
})
