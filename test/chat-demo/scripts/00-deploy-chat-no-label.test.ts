// chat-demo/scripts/00-deploy-chat-no-label.sh on the control plane: the chat Pending, and the scheduler's reason.
import { beforeEach, describe, expect, it } from 'vitest'
import { chatDemo, scenes, useSim } from '../../support/script-scenes.ts'

const sim = useSim()
const { onePhone, chatPods, chatObjects } = scenes(sim)

describe('00-deploy-chat-no-label.sh', () => {
  beforeEach(() => onePhone())

  it('applies the manifests and shows the scheduler\'s FailedScheduling message', () => {
    const r = sim.run('phone-a', chatDemo('00-deploy-chat-no-label.sh'))
    expect(r.code, r.output).toBe(0)
    expect(chatObjects()).toEqual(['ConfigMap/chat-commands', 'Deployment/chat', 'PersistentVolumeClaim/chat-data', 'Service/chat'])
    expect(chatPods().map(p => p.status?.phase)).toEqual(['Pending'])
    expect(r.stdout).toContain('FailedScheduling: 0/1 nodes are available: 1 node(s) didn\'t match Pod\'s node affinity/selector.')
    expect(r.stdout).toContain('no node has that label yet')
    expect(r.stdout).toContain('00-label-llm.sh')
    expect(sim.calls('hostname')).toEqual([])
  })

  it('refuses when a node already carries the label, because nothing would be Pending', () => {
    sim.sh('phone-a', 'kubectl label node phone-a llm=true')
    const r = sim.run('phone-a', chatDemo('00-deploy-chat-no-label.sh'))
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('already carry llm=true: phone-a')
    expect(r.stderr).toContain('99-unset-llm-label.sh')
    expect(chatObjects()).toEqual([])
  })

  it('says when the cluster is not reachable', () => {
    sim.sh('phone-a', 'sudo systemctl stop k3s')
    const r = sim.run('phone-a', chatDemo('00-deploy-chat-no-label.sh'))
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('sudo systemctl status k3s')
  })
})
