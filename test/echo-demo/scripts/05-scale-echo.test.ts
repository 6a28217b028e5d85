// echo-demo/scripts/05-scale-echo.sh on the simulated phones and the laptop: pods per node, memory, a sleeping phone.
import { describe, expect, it } from 'vitest'
import { echoDemo, nodeOf, scenes, useSim } from '../../support/script-scenes.ts'

const sim = useSim()
const { onePhone, twoPhones, deployEcho, laptopWithKubectl, kubeconfigEnv, sleepFor, readyEchoPods } = scenes(sim)

describe('05-scale-echo.sh', () => {
  it('scales to 3 on two phones and counts the pods per node as the cluster has them', () => {
    twoPhones()
    deployEcho()
    const r = sim.run('phone-a', echoDemo('05-scale-echo.sh'))
    expect(r.code, r.output).toBe(0)
    expect(readyEchoPods()).toHaveLength(3)
    const perNode = new Map<string, number>()
    for (const p of readyEchoPods()) perNode.set(nodeOf(p)!, (perNode.get(nodeOf(p)!) ?? 0) + 1)
    for (const [node, n] of perNode) expect(r.stdout).toMatch(new RegExp(`^\\s+${n} ${node}$`, 'm'))
  })

  it('more pods than fit in a 2 GB phone: Insufficient memory explained, with a number that fits', () => {
    onePhone()
    sim.update(w => void (w.hosts['phone-a'].memAvailableMB = 520))
    deployEcho()
    const r = sim.run('phone-a', echoDemo('05-scale-echo.sh'), ['10'])
    expect(r.code).toBe(1)
    const fit = readyEchoPods().length
    expect(fit).toBeLessThan(10)
    expect(r.stderr).toContain('Insufficient memory')
    expect(r.stderr).toContain(`${10 - fit} of 10 pods don't fit`)
    expect(r.stderr).toContain(`./echo-demo/scripts/05-scale-echo.sh ${fit}`)
  })

  it('a phone asleep: its pod is not ready, and the hint says which phone to wake', () => {
    twoPhones()
    deployEcho()
    sleepFor('phone-b', 60)
    const r = sim.run('phone-a', echoDemo('05-scale-echo.sh'), ['4'])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('phone-b is NotReady')
    expect(r.stderr).not.toContain('Insufficient memory')
  })

  it('without the deployment it says to deploy first and scales nothing', () => {
    onePhone()
    const r = sim.run('phone-a', echoDemo('05-scale-echo.sh'))
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('03-deploy-echo.sh')
    expect(sim.argvs('kubectl').some(a => a.startsWith('scale'))).toBe(false)
  })

  it('from the laptop', () => {
    twoPhones()
    deployEcho()
    laptopWithKubectl()
    const r = sim.run('laptop', echoDemo('05-scale-echo.sh'), ['4'], { env: kubeconfigEnv() })
    expect(r.code, r.output).toBe(0)
    expect(readyEchoPods()).toHaveLength(4)
  })
})
