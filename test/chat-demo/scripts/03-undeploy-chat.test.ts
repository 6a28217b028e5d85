// chat-demo/scripts/03-undeploy-chat.sh: the chat goes, its history stays (or goes with --purge), a phone asleep.
import { beforeEach, describe, expect, it } from 'vitest'
import { chatDemo, scenes, useSim } from '../../support/script-scenes.ts'

const sim = useSim()
const { onePhone, twoPhones, chatOn, objects, chatPods, chatObjects } = scenes(sim)

describe('03-undeploy-chat.sh', () => {
  beforeEach(() => {
    onePhone()
    chatOn('phone-a')
  })

  it('removes the app but keeps the data volume', () => {
    const r = sim.run('phone-a', chatDemo('03-undeploy-chat.sh'))
    expect(r.code, r.output).toBe(0)
    expect(chatObjects()).toEqual(['PersistentVolumeClaim/chat-data'])
    expect(chatPods()).toEqual([])
    expect(r.stdout).toContain('its history stays in the volume chat-data')
  })

  it('--purge deletes the data volume too, once the pod is gone', () => {
    const r = sim.run('phone-a', chatDemo('03-undeploy-chat.sh'), ['--purge'])
    expect(r.code, r.output).toBe(0)
    expect(chatObjects()).toEqual([])
    expect(objects('PersistentVolume')).toEqual([])
    const calls = sim.argvs('kubectl')
    expect(calls.findIndex(c => c.includes('chat-data.yaml'))).toBeGreaterThan(calls.findLastIndex(c => c.startsWith('get pods')))
  })

  it('is harmless when nothing is deployed', () => {
    expect(sim.run('phone-a', chatDemo('03-undeploy-chat.sh')).code).toBe(0)
    const r = sim.run('phone-a', chatDemo('03-undeploy-chat.sh'), ['--purge'])
    expect(r.code, r.output).toBe(0)
  })
})

describe('03-undeploy-chat.sh --purge with the chat on a phone asleep', () => {
  beforeEach(() => {
    twoPhones()
    chatOn('phone-b')
    sim.update(w => void (w.hosts['phone-b'].awake = false))
  })

  it('doesn\'t hang on the claim\'s protection: says that the pod can\'t stop and how to go on', () => {
    const r = sim.run('phone-a', chatDemo('03-undeploy-chat.sh'), ['--purge'])
    expect(r.hung).toBeNull()
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/Pod chat-\S+ on phone-b is still Terminating/)
    expect(r.stderr).toContain('so its history stays')
    expect(r.stderr).toContain('--force --grace-period=0')
    expect(chatObjects()).toEqual(['PersistentVolumeClaim/chat-data'])
  })
})
