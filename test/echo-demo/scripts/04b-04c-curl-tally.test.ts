// echo-demo/scripts/04b-curl-hostname.sh and 04c-curl-nodename.sh, the same tally per pod and per node, on the simulated phones.
import type { KObject } from '../../../tools/phone-sim/world.ts'
import { describe, expect, it } from 'vitest'
import { echoDemo, nodeOf, scenes, tally, useSim } from '../../support/script-scenes.ts'

const sim = useSim()
const { onePhone, twoPhones, deployEcho, impostor, echoPods, uninstall } = scenes(sim)

describe.each([
  ['04b-curl-hostname.sh', 'pod'],
  ['04c-curl-nodename.sh', 'node'],
])('%s', (name, what) => {
  const answerOf = (pod: KObject) => (what === 'pod' ? pod.metadata.name : nodeOf(pod)!)

  it(`tallies the answers per ${what}: every name is one the cluster has`, () => {
    twoPhones()
    deployEcho()
    const r = sim.run('phone-a', echoDemo(name), ['8'])
    expect(r.code, r.output).toBe(0)
    const names = new Set(echoPods().map(answerOf))
    const lines = tally(r)
    expect(lines.length).toBe(2)
    for (const l of lines) expect(names).toContain(l.split(' ')[1])
    expect(lines.reduce((sum, l) => sum + Number(l.split(' ')[0]), 0)).toBe(8)
    expect(r.stdout).toContain('2 ')
  })

  it('from the laptop with ECHO_HOST', () => {
    twoPhones()
    deployEcho()
    const r = sim.run('laptop', echoDemo(name), ['4'], { env: { ECHO_HOST: 'phone-b' } })
    expect(r.code, r.output).toBe(0)
    expect(tally(r).reduce((sum, l) => sum + Number(l.split(' ')[0]), 0)).toBe(4)
  })

  it(`an HTTP error page is counted as "(no answer)", not as a ${what} name`, () => {
    onePhone()
    deployEcho()
    impostor()
    const r = sim.run('phone-a', echoDemo(name), ['8'])
    expect(r.code, r.output).toBe(0)
    const names = new Set([...echoPods().map(answerOf), '(no answer)'])
    for (const l of tally(r)) expect(names).toContain(l.replace(/^\d+ /, ''))
    expect(r.stdout).toMatch(/^\s+\d+ \(no answer\)$/m)
    expect(r.stderr).toContain('Some requests got no answer')
  })

  it('a pod on a phone that just fell asleep: its requests time out as "(no answer)", the others answer', () => {
    twoPhones()
    deployEcho()
    sim.update(w => void (w.hosts['phone-b'].awake = false))
    const r = sim.run('phone-a', echoDemo(name), ['6'])
    expect(r.code, r.output).toBe(0)
    expect(r.stdout).toMatch(/^\s+\d+ \(no answer\)$/m)
    expect(r.stderr).toContain('Some requests got no answer')
    expect(r.seconds).toBeLessThanOrEqual(6 * 5 + 3 * 5)
  })

  it('without curl it says how to install it', () => {
    uninstall('phone-a', 'curl')
    const r = sim.run('phone-a', echoDemo(name))
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('\'curl\' is not installed')
    expect(r.stderr).toContain('sudo apt install -y curl')
  })

  it('without the echo server it says to deploy it', () => {
    onePhone()
    const r = sim.run('phone-a', echoDemo(name))
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('03-deploy-echo.sh')
  })
})
