// The simulation's own machinery, apart from what it models: the resident process that answers the
// simulated programs' calls, and the set-up snapshots shared by the test processes.
import type { Sim } from '../../tools/phone-sim/index.ts'
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createSim, REPO_ROOT } from '../../tools/phone-sim/index.ts'

let sim: Sim
beforeEach(() => {
  sim = createSim()
})
afterEach(() => sim.cleanup())

/** Processes whose command line names `text`. */
function processesNaming(text: string): number[] {
  return readdirSync('/proc').filter(pid => /^\d+$/.test(pid)).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text)
    }
    catch {
      return false // ended meanwhile
    }
  }).map(Number)
}

const listening = () => readdirSync(sim.dir).includes('sim.sock')

describe('the resident process', () => {
  it('answers calls once it listens: without a Node start per call (SIM_NODE unusable), stdin and exit codes included', async () => {
    sim.sh('laptop', 'hostname')
    await expect.poll(listening, { timeout: 30_000 }).toBe(true)
    const r = sim.sh('phone-a', 'hostname\nsudo id -u\nprintf "{}" | curl -s -d @- http://localhost:1 || echo "curl=$?"\nsudo nosuch || echo "sudo=$?"', { env: { SIM_NODE: '/bin/false' } })
    expect(r.code, r.output).toBe(0)
    expect(r.stdout).toBe('debian\n0\ncurl=7\nsudo=127\n')
    expect(r.stderr).toBe('nosuch: command not found\n')
  })

  it('ends with the sim: no process and no socket stay behind', async () => {
    sim.sh('laptop', 'hostname')
    await expect.poll(listening, { timeout: 30_000 }).toBe(true)
    expect(processesNaming(sim.dir)).not.toEqual([])
    sim.cleanup()
    await expect.poll(() => processesNaming(sim.dir), { timeout: 10_000 }).toEqual([])
    expect(() => readdirSync(sim.dir)).toThrow(/ENOENT/)
  })
})

describe('set-up snapshots', () => {
  it('one made in another clone is not restored: its machines would point into that clone', () => {
    sim.setup('phone-a', 'tailscale') // a snapshot of this clone's phone
    const other = createSim()
    try {
      const clone = mkdtempSync(join(tmpdir(), 'other-clone-'))
      const link = other.path('phone-a', '~/k3s-on-phone-demo')
      rmSync(link)
      symlinkSync(clone, link)
      other.setup('phone-a', 'tailscale')
      expect(readlinkSync(link)).toBe(clone)
      expect(readlinkSync(sim.path('phone-a', '~/k3s-on-phone-demo'))).toBe(REPO_ROOT)
      rmSync(clone, { recursive: true })
    }
    finally {
      other.cleanup()
    }
  })
})
