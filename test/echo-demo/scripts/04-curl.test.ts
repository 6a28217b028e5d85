// echo-demo/scripts/04-curl.sh on a phone and from the laptop: one echo, or what to check when none comes back.
import { beforeEach, describe, expect, it } from 'vitest'
import { echoDemo, scenes, useSim } from '../../support/script-scenes.ts'

const sim = useSim()
const { onePhone, twoPhones, deployEcho, impostor, sleepFor, echoPods, uninstall } = scenes(sim)

describe('04-curl.sh', () => {
  it('on a phone: the echo of one request, from a pod the cluster has', () => {
    onePhone()
    deployEcho()
    const r = sim.run('phone-a', echoDemo('04-curl.sh'), [], { env: {} })
    expect(r.code, r.output).toBe(0)
    const pod = /"pod": "([^"]+)"/.exec(r.stdout)?.[1]
    expect(echoPods().map(p => p.metadata.name)).toContain(pod)
    expect(r.stdout).toContain('"node": "phone-a"')
    expect(r.stdout).toContain('"hello": "phone"')
  })

  it('an HTTP error instead of an echo says so and exits 1, instead of stopping without a word', () => {
    onePhone()
    deployEcho()
    impostor()
    const runs = Array.from({ length: 6 }, () => sim.run('phone-a', echoDemo('04-curl.sh')))
    const failed = runs.filter(r => r.code !== 0)
    expect(failed.length).toBeGreaterThan(0)
    for (const r of failed) {
      expect(r.code).toBe(1)
      expect(r.stderr).toContain('No echo from http://localhost:8081 this time')
      expect(r.stderr).toContain('Ask again')
    }
    for (const r of runs.filter(x => x.code === 0)) expect(r.stdout).toContain('"node": "phone-a"')
  })

  it('without jq it says how to install it', () => {
    onePhone()
    deployEcho()
    uninstall('phone-a', 'jq')
    const r = sim.run('phone-a', echoDemo('04-curl.sh'))
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('\'jq\' is not installed')
    expect(r.stderr).toContain('sudo apt install -y jq')
  })

  it('on the agent phone without the echo server it says to deploy it on the control plane', () => {
    twoPhones()
    const r = sim.run('phone-b', echoDemo('04-curl.sh'))
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('./echo-demo/scripts/03-deploy-echo.sh (on the control plane)')
  })

  it('on a phone without the echo server it says to deploy it', () => {
    onePhone()
    const r = sim.run('phone-a', echoDemo('04-curl.sh'))
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('No answer from http://localhost:8081')
    expect(r.stderr).toContain('03-deploy-echo.sh')
  })

  describe('from the laptop', () => {
    beforeEach(() => {
      twoPhones()
      deployEcho()
    })

    it('ECHO_HOST given as a URL: it says to name the phone only, and asks nothing', () => {
      const r = sim.run('laptop', echoDemo('04-curl.sh'), [], { env: { ECHO_HOST: 'http://phone-a:8081' } })
      expect(r.code).toBe(1)
      expect(r.stderr).toContain('ECHO_HOST=http://phone-a:8081 is not a host name')
      expect(r.stderr).toContain('ECHO_HOST=phone-a')
      expect(sim.calls('curl')).toEqual([])
    })

    it('with ECHO_HOST=phone-a it asks the phone over the tailnet', () => {
      const r = sim.run('laptop', echoDemo('04-curl.sh'), [], { env: { ECHO_HOST: 'phone-a' } })
      expect(r.code, r.output).toBe(0)
      expect(r.stdout).toMatch(/"node": "phone-[ab]"/)
      expect(r.stdout).toContain('"hello": "phone"')
    })

    it('without ECHO_HOST it says to name a phone, not to deploy again', () => {
      const r = sim.run('laptop', echoDemo('04-curl.sh'))
      expect(r.code).toBe(1)
      expect(r.stderr).toContain('ECHO_HOST=phone-a')
      expect(r.stderr).not.toContain('03-deploy-echo.sh')
    })

    it('with the laptop out of the tailnet the name does not resolve: tailscale', () => {
      expect(sim.sh('laptop', 'sudo tailscale down').code).toBe(0)
      const r = sim.run('laptop', echoDemo('04-curl.sh'), [], { env: { ECHO_HOST: 'phone-a' } })
      expect(r.code).toBe(1)
      expect(r.stderr).toContain('curl exit code 6')
      expect(r.stderr).toContain('tailscale status')
    })

    it('a tailnet policy without tcp:8081: the timeout names the policy too', () => {
      sim.update(w => void (w.tailnet.allow = ['tcp:6443', 'tcp:10250', 'udp:8472']))
      const r = sim.run('laptop', echoDemo('04-curl.sh'), [], { env: { ECHO_HOST: 'phone-a' } })
      expect(r.code).toBe(1)
      expect(r.stderr).toContain('curl exit code 28')
      expect(r.stderr).toContain('tailnet policy')
      expect(r.stderr).toContain('tcp:8081')
    })

    it('with phone-a asleep: no answer within the time limit, and a hint to wake it', () => {
      sleepFor('phone-a', 1)
      const r = sim.run('laptop', echoDemo('04-curl.sh'), [], { env: { ECHO_HOST: 'phone-a' } })
      expect(r.code).toBe(1)
      expect(r.stderr).toContain('curl exit code 28')
      expect(r.stderr).toMatch(/awake/)
      expect(r.seconds).toBeLessThanOrEqual(20)
    })
  })
})
