// echo-demo/scripts/06-undeploy-echo.sh on the simulated phones and the laptop: gone, or why a pod stays Terminating.
import { describe, expect, it } from 'vitest'
import { echoDemo, nodeOf, scenes, useSim } from '../../support/script-scenes.ts'

const sim = useSim()
const { onePhone, twoPhones, deployEcho, laptopWithKubectl, kubeconfigEnv, sleepFor, echoPods, echoObjects } = scenes(sim)

describe('06-undeploy-echo.sh', () => {
  it('deletes the echo server and waits until its pods are gone', () => {
    onePhone()
    deployEcho()
    const r = sim.run('phone-a', echoDemo('06-undeploy-echo.sh'))
    expect(r.code, r.output).toBe(0)
    expect(echoObjects()).toEqual([])
    expect(echoPods()).toEqual([])
    expect(r.stdout).toContain('the echo pods to be gone')
  })

  it('a re-run with nothing deployed succeeds', () => {
    onePhone()
    const r = sim.run('phone-a', echoDemo('06-undeploy-echo.sh'))
    expect(r.code, r.output).toBe(0)
    expect(r.stdout).toContain('The echo server is gone')
  })

  it('a pod on a phone that sleeps stays Terminating: the wait doesn\'t hang on it, and says why', () => {
    twoPhones()
    deployEcho()
    sleepFor('phone-b', 60)
    const r = sim.run('phone-a', echoDemo('06-undeploy-echo.sh'))
    expect(r.code, r.output).toBe(0)
    expect(echoObjects()).toEqual([])
    expect(echoPods().map(nodeOf)).toEqual(['phone-b'])
    expect(r.stderr).toContain('phone-b is NotReady')
    expect(r.stderr).toContain('Terminating')
    expect(r.seconds).toBeLessThan(60)
  })

  it('a phone that fell asleep a moment ago (still Ready): the wait ends once it turns NotReady', () => {
    twoPhones()
    deployEcho()
    sim.update(w => void (w.hosts['phone-b'].awake = false))
    const r = sim.run('phone-a', echoDemo('06-undeploy-echo.sh'))
    expect(r.code, r.output).toBe(0)
    expect(echoPods().map(nodeOf)).toEqual(['phone-b'])
    expect(r.stderr).toContain('phone-b is NotReady')
    expect(r.seconds).toBeLessThan(60)
  })

  it('from the laptop', () => {
    twoPhones()
    deployEcho()
    laptopWithKubectl()
    const r = sim.run('laptop', echoDemo('06-undeploy-echo.sh'), [], { env: kubeconfigEnv() })
    expect(r.code, r.output).toBe(0)
    expect(echoObjects()).toEqual([])
  })
})
