// chat-demo/scripts/04-check-llm.sh on the phone with the AI app: found, forwarded on the loopback, or what to check.
import { beforeEach, describe, expect, it } from 'vitest'
import { PHONE_A_LAN } from '../../../tools/phone-sim/index.ts'
import { chatDemo, scenes, useSim } from '../../support/script-scenes.ts'

const sim = useSim()
const { onePhone, install } = scenes(sim)

describe('04-check-llm.sh', () => {
  const gateway = () => sim.world().hosts['phone-a'].lan.gateway
  beforeEach(() => {
    onePhone()
    install('phone-a', 'socat')
  })

  it('finds the AI app at the VM\'s default gateway (Android) and offers a loopback-only forwarder without starting it unasked', () => {
    const r = sim.run('phone-a', chatDemo('04-check-llm.sh'))
    expect(r.code, r.output).toBe(0)
    expect(r.stdout).toContain(`The AI app answers at http://${gateway()}:8005`)
    expect(r.stdout).toContain(`socat TCP-LISTEN:8005,bind=127.0.0.1,fork,reuseaddr TCP:${gateway()}:8005`)
    expect(sim.calls('socat')).toEqual([])
  })

  it('--forward bridges localhost:8005 to the AI app on the loopback only (not on the tailnet or the LAN)', () => {
    const r = sim.run('phone-a', chatDemo('04-check-llm.sh'), ['--forward'])
    expect(r.code, r.output).toBe(0)
    expect(r.stdout).toContain('the AI app through the forwarder')
    expect(r.stdout).toContain('GEMMA_3_1B_IT (downloaded)')
    expect(sim.world().hosts['phone-a'].forwarders.map(f => [f.bindAddress, f.port, f.target])).toEqual([['127.0.0.1', 8005, `${gateway()}:8005`]])
    expect(sim.sh('phone-a', 'curl -fsS --max-time 3 http://127.0.0.1:8005/health').code).toBe(0)
    const outside = sim.sh('phone-a', `curl -sS --max-time 3 http://${PHONE_A_LAN}:8005/health || echo "exit $?"`)
    expect(outside.stdout).toContain('exit 7')
  })

  it('a re-run finds the running forwarder and starts no second one', () => {
    expect(sim.run('phone-a', chatDemo('04-check-llm.sh'), ['--forward']).code).toBe(0)
    const r = sim.run('phone-a', chatDemo('04-check-llm.sh'), ['--forward'])
    expect(r.code, r.output).toBe(0)
    expect(r.stdout).toContain('The AI app answers at http://localhost:8005')
    expect(sim.world().hosts['phone-a'].forwarders).toHaveLength(1)
  })

  it('says exactly what to check on the phone when the app is nowhere', () => {
    sim.update(w => void (w.hosts['phone-a'].aiApp!.running = false))
    const r = sim.run('phone-a', chatDemo('04-check-llm.sh'), ['--forward'])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(`asked: ${gateway()}`)
    expect(r.stdout).toContain('github.com/parttimenerd/local-android-ai')
    expect(r.stdout).toContain('http://localhost:8005/health')
    expect(r.stdout).toContain('Battery optimisation')
    expect(r.stderr).toContain('The phone\'s AI app isn\'t reachable from this VM')
    expect(sim.calls('socat')).toEqual([])
  })

  it('spots something else holding the port', () => {
    sim.sh('phone-a', 'nohup socat TCP-LISTEN:8005,bind=127.0.0.1,fork TCP:192.0.2.1:8005 >/dev/null 2>&1 &\nuntil ss -Hltn "sport = :8005" | grep -q .; do :; done')
    sim.resetCalls()
    const r = sim.run('phone-a', chatDemo('04-check-llm.sh'), ['--forward'])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('Something listens on port 8005 in this VM but doesn\'t answer')
    expect(sim.calls('socat')).toEqual([])
  })

  it('on the laptop: says to run it on the phone with the AI app', () => {
    const r = sim.run('laptop', chatDemo('04-check-llm.sh'))
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('This isn\'t a phone of the cluster')
    expect(r.stderr).toContain('ssh droid@phone-b')
  })
})
