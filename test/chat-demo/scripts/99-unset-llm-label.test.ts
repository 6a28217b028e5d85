// chat-demo/scripts/99-unset-llm-label.sh: the label goes, the running chat stays.
import { beforeEach, describe, expect, it } from 'vitest'
import { chatDemo, scenes, useSim } from '../../support/script-scenes.ts'

const sim = useSim()
const { onePhone, chatOn, chatPods, labelsOf } = scenes(sim)

describe('99-unset-llm-label.sh', () => {
  beforeEach(() => {
    onePhone()
    chatOn('phone-a')
  })

  it('removes the label from the recorded node, and says that the running chat stays where it is', () => {
    const r = sim.run('phone-a', chatDemo('99-unset-llm-label.sh'))
    expect(r.code, r.output).toBe(0)
    expect(labelsOf('phone-a').llm).toBeUndefined()
    expect(r.stdout).toContain('The chat keeps running on phone-a')
    expect(chatPods().map(p => p.status?.phase)).toEqual(['Running'])
  })
})
