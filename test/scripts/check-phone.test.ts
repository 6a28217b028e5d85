// scripts/check-phone.sh, the pre-flight check, run for real against the simulated phones: a pair
// that is ready (every line ✓, exit 0), then each thing that can be not ready, one at a time, with
// the line that says what to do about it.
import type { Host, RunResult } from '../../tools/phone-sim/index.ts'
import { beforeEach, describe, expect, it } from 'vitest'
import { AUTH_KEY, CHAT_IMAGE, REGISTRY } from '../../tools/phone-sim/index.ts'
import { scenes, useSim } from '../support/script-scenes.ts'

const SCRIPT = 'scripts/check-phone.sh'
/** The tailnet policy README.md shows: exactly the ports k3s needs between the phones. */
const POLICY = ['tcp:6443', 'tcp:10250', 'udp:8472']

const sim = useSim(w => void (w.tailnet.allow = [...POLICY]))
const { uninstall } = scenes(sim)
const check = (host: string, args: string[] = []) => sim.run(host, SCRIPT, args)

/** The lines with a verdict: ✓ ready, ✗ not ready, – not checked yet. */
const verdicts = (r: RunResult) => r.stdout.split('\n').filter(l => /^ [✓✗–] {2}/.test(l))

/** The ✗ (or –) line that matches, and the → line under it: what to do. */
function problem(r: RunResult, what: RegExp): { line: string, fix: string } {
  const lines = r.stdout.split('\n')
  const i = lines.findIndex(l => /^ [✗–] {2}/.test(l) && what.test(l))
  expect(i, `no ✗/– line matching ${what} in:\n${r.output}`).toBeGreaterThanOrEqual(0)
  expect(lines[i + 1]).toMatch(/^ {4}→ /)
  return { line: lines[i], fix: lines[i + 1].replace(/^ {4}→ /, '') }
}

/** Only that one thing is not ready: exit 1, and every other line ✓. */
function onlyProblem(r: RunResult, what: RegExp): { line: string, fix: string } {
  expect(r.code, r.output).toBe(1)
  const found = problem(r, what)
  expect(verdicts(r).filter(l => !l.startsWith(' ✓')), r.output).toEqual([found.line])
  return found
}

describe('scripts/check-phone.sh', () => {
  beforeEach(() => {
    sim.setup('phone-a', 'tailscale', 'server-on-tailnet')
    sim.setup('phone-b', 'tailscale', 'agent')
    sim.update((w) => {
      for (const phone of ['phone-a', 'phone-b']) w.hosts[phone].images = [...REGISTRY]
    })
  })

  it('says a ready pair of phones is ready: every line ✓, exit 0, on both phones', () => {
    sim.update(w => void w.hosts['phone-a'].programs.push('socat')) // sudo apt-get install -y socat
    expect(sim.run('phone-a', 'chat-demo/scripts/04-check-llm.sh', ['--forward']).code).toBe(0)
    const a = check('phone-a', ['--llm'])
    const b = check('phone-b')
    for (const r of [a, b]) {
      expect(r.code, r.output).toBe(0)
      expect(verdicts(r).length).toBeGreaterThanOrEqual(11)
      expect(verdicts(r).every(l => l.startsWith(' ✓')), r.output).toBe(true)
      expect(r.stdout).toMatch(/\nReady\.\n$/)
    }
    expect(a.stdout).toContain(' ✓  Tailscale: this phone is phone-a (')
    expect(a.stdout).toContain(' ✓  8472/UDP: the pod network reaches phone-b (10.42.1.0 answers ping)')
    expect(a.stdout).toContain(' ✓  The AI app answers at localhost:8005')
    expect(b.stdout).toContain(' ✓  phone-a answers on 6443/TCP (API server)')
    expect(b.stdout).toContain(' ✓  phone-a answers on 10250/TCP (kubelet)')
    expect(b.stdout).toContain(' ✓  Images: all 3 the manifests name are on this phone')
  })

  it('changes nothing: no image pulled, no unit started, the world as it was', () => {
    sim.update(w => void (w.hosts['phone-b'].images = []))
    const before = sim.world()
    const r = check('phone-b')
    expect(r.code).toBe(1)
    const after = sim.world()
    expect(after.hosts['phone-b'].images).toEqual([])
    expect(after.hosts['phone-b'].k3s).toEqual(before.hosts['phone-b'].k3s)
    expect(after.hosts['phone-b'].tailscale).toEqual(before.hosts['phone-b'].tailscale)
    expect(sim.argvs('k3s', 'phone-b').filter(a => a.startsWith('crictl pull'))).toEqual([])
  })

  describe('the VM', () => {
    const cases: Array<[string, Partial<Host>, RegExp, RegExp]> = [
      ['little memory', { memAvailableMB: 200 }, /^ ✗ {2}Memory: only 200 MB available of 2048 MB/, /^Quit what else runs in the VM \(ps aux --sort=-rss\).*traefik and metrics-server/],
      ['a full disk', { diskFreeMB: 500 }, /^ ✗ {2}Disk: only 500 MB free/, /^Free space: sudo apt-get clean/],
      ['no /dev/net/tun', { tun: false }, /^ ✗ {2}No \/dev\/net\/tun/, /^Try: sudo modprobe tun/],
      ['a clock that is not synchronised', { clockSynced: false }, /^ ✗ {2}The clock isn't synchronised/, /^sudo timedatectl set-ntp true/],
    ]
    it.each(cases)('%s', (_, change, line, fix) => {
      sim.update(w => void Object.assign(w.hosts['phone-a'], change))
      const found = onlyProblem(check('phone-a'), line)
      expect(found.fix).toMatch(fix)
    })

    it('cgroup v1: says so, and k3s check-config fails with it', () => {
      sim.update(w => void (w.hosts['phone-a'].cgroupV2 = false))
      const r = check('phone-a')
      expect(r.code).toBe(1)
      expect(problem(r, /cgroup v2/)).toEqual({
        line: ' ✗  No cgroup v2 with a memory controller (/sys/fs/cgroup/cgroup.controllers): k3s can\'t limit the pods',
        fix: 'Update Android and the Terminal app (recent Debian images mount cgroup v2), then check again',
      })
      expect(problem(r, /check-config/).line).toBe(' ✗  k3s check-config fails')
    })

    it('a kernel without VXLAN: names what k3s check-config found missing', () => {
      sim.update(w => void (w.hosts['phone-a'].missingKernelFeatures = ['CONFIG_VXLAN']))
      const found = onlyProblem(check('phone-a'), /check-config/)
      expect(found.line).toBe(' ✗  k3s check-config fails: CONFIG_VXLAN')
      expect(found.fix).toMatch(/^See it all: sudo k3s check-config/)
    })
  })

  describe('Tailscale', () => {
    it('logged out: says to run 07-setup-tailscale.sh, and checks no port', () => {
      sim.sh('phone-a', 'sudo tailscale logout')
      const r = check('phone-a')
      expect(r.code).toBe(1)
      expect(problem(r, /Tailscale/)).toEqual({
        line: ' ✗  Tailscale is logged out (state NeedsLogin)',
        fix: './echo-demo/scripts/07-setup-tailscale.sh phone-a (with the auth key in .tailscale-key)',
      })
      expect(r.stdout).not.toMatch(/\/TCP|\/UDP/)
      expect(sim.calls('curl', 'phone-a')).toEqual([])
    })

    it('waiting for device approval: says to approve it, or to use a pre-approved key', () => {
      sim.sh('phone-a', 'sudo tailscale logout')
      sim.update((w) => {
        w.tailnet.deviceApproval = true
        w.tailnet.keys[AUTH_KEY].preauthorized = false
      })
      sim.sh('phone-a', `sudo tailscale up --auth-key=${AUTH_KEY} --hostname=phone-a --timeout=5s || true`)
      const r = check('phone-a')
      expect(r.code).toBe(1)
      expect(problem(r, /Tailscale/)).toEqual({
        line: ' ✗  Tailscale: this phone waits for an admin to approve it',
        fix: 'Approve it in the admin console (Machines), or use a pre-approved auth key',
      })
    })

    it('a suffixed name (phone-a-1: an old phone-a still in the tailnet): says how to get the name back', () => {
      sim.sh('phone-a', 'sudo tailscale logout')
      sim.update(w => void w.tailnet.devices.push({ id: 'old', host: 'old-vm', hostname: 'phone-a', name: 'phone-a', ip: '100.99.1.1', ephemeral: false, approved: true, expired: true }))
      sim.sh('phone-a', `sudo tailscale up --auth-key=${AUTH_KEY} --hostname=phone-a`)
      const r = check('phone-a')
      expect(r.code).toBe(1)
      expect(problem(r, /Tailscale/)).toEqual({
        line: ' ✗  Tailscale: this phone is phone-a-1, not phone-a: another device still holds the name phone-a',
        fix: 'Remove the old phone-a in the admin console (Machines), then rename this one to phone-a there (Edit machine name)',
      })
    })
  })

  describe('the other phone over the tailnet', () => {
    it.each([
      ['tcp:6443', 'phone-b', /^ ✗ {2}phone-a doesn't answer on 6443\/TCP: the tailnet policy blocks it$/],
      ['tcp:10250', 'phone-b', /^ ✗ {2}phone-a doesn't answer on 10250\/TCP: the tailnet policy blocks it$/],
      ['udp:8472', 'phone-b', /^ ✗ {2}8472\/UDP: the pod network doesn't reach phone-a \(10\.42\.0\.0 doesn't answer ping\)$/],
      ['tcp:10250', 'phone-a', /^ ✗ {2}phone-b doesn't answer on 10250\/TCP: the tailnet policy blocks it$/],
    ])('a policy without %s, seen from %s', (port, host, line) => {
      sim.update(w => void (w.tailnet.allow = POLICY.filter(p => p !== port)))
      const found = onlyProblem(check(host), line)
      expect(found.fix).toMatch(new RegExp(`^Allow .*${port}.* between the phones in the tailnet policy \\(README: Before you start\\)$`))
    })

    it('the other phone asleep: one line, wake it', () => {
      sim.update(w => void (w.hosts['phone-b'].awake = false))
      const found = onlyProblem(check('phone-a'), /phone-b/)
      expect(found).toEqual({
        line: ' ✗  phone-b is offline in the tailnet (asleep, or the Terminal app closed)',
        fix: 'Wake phone-b: screen on, on power, the Terminal app open — then check again',
      })
    })

    it('--peer names the other phone; one that is not in the tailnet says where to run 07', () => {
      const found = onlyProblem(check('phone-a', ['--peer', 'phone-c']), /phone-c/)
      expect(found).toEqual({ line: ' ✗  phone-c isn\'t in the tailnet', fix: 'On phone-c: ./echo-demo/scripts/07-setup-tailscale.sh phone-c' })
    })

    it('before phone-b joins: 8472/UDP and the images can\'t be checked yet, the ports get through', () => {
      sim.sh('phone-b', 'sudo k3s-agent-uninstall.sh >/dev/null')
      const r = check('phone-b')
      expect(r.code).toBe(1)
      expect(problem(r, /8472/)).toEqual({
        line: ' –  8472/UDP (pod network): can\'t be checked before both phones are in the cluster',
        fix: 'After 08-join-cluster.sh on phone-b, run this again',
      })
      expect(problem(r, /Images/).line).toMatch(/^ – {2}Images .*k3s must run here/)
      expect(r.stdout).toContain(' ✓  phone-a answers on 6443/TCP (API server)')
      expect(r.stdout).toMatch(/Not ready: 0 to fix, 3 to check later\./)
    })
  })

  describe('images', () => {
    it('missing: says to pull them; --pull pulls them (slowly on conference Wi-Fi) and then they are ready', () => {
      sim.update((w) => {
        w.hosts['phone-b'].images = ['rqlite/rqlite:8.27.0']
        w.networkSlowdown = 20
      })
      const found = onlyProblem(check('phone-b'), /Images/)
      expect(found.line).toBe(` ✗  Images: 2 of 3 not pulled yet (ealen/echo-server:0.9.2 ${CHAT_IMAGE})`)
      expect(found.fix).toMatch(/^Pull them now, while the Wi-Fi is good: .*scripts\/check-phone\.sh --pull$/)

      const pulled = check('phone-b', ['--pull'])
      expect(pulled.code, pulled.output).toBe(0)
      expect(pulled.stdout).toContain(' ✓  Images: all 3 the manifests name are on this phone')
      expect(sim.world().hosts['phone-b'].images.sort()).toEqual([...REGISTRY].sort())
      expect(sim.argvs('k3s', 'phone-b').filter(a => a.startsWith('crictl pull')).sort()).toEqual([
        'crictl pull ealen/echo-server:0.9.2',
        `crictl pull ${CHAT_IMAGE}`,
      ])
      expect(pulled.seconds).toBeGreaterThan(600)
    })

    it('--pull of an image no registry has: says it couldn\'t', () => {
      sim.update((w) => {
        w.hosts['phone-b'].images = []
        w.registry = w.registry.filter(i => !i.startsWith('ghcr.io/'))
      })
      const found = onlyProblem(check('phone-b', ['--pull']), /Images/)
      expect(found.line).toBe(` ✗  Images: couldn't pull ${CHAT_IMAGE}`)
    })
  })

  describe('the AI app (--llm)', () => {
    it('answering only on Android\'s side: says to bridge it with 04-check-llm.sh --forward', () => {
      const found = onlyProblem(check('phone-a', ['--llm']), /AI app/)
      expect(found.line).toMatch(/^ ✗ {2}The AI app answers at 10\.177\.99\.1:8005 \(Android\), not at localhost:8005/)
      expect(found.fix).toBe('Bridge it: chat-demo/scripts/04-check-llm.sh --forward')
    })

    it('not running: says to open it on the phone', () => {
      sim.update(w => void (w.hosts['phone-a'].aiApp!.running = false))
      const found = onlyProblem(check('phone-a', ['--llm']), /AI app/)
      expect(found).toEqual({
        line: ' ✗  The AI app doesn\'t answer on port 8005',
        fix: 'Open the AI app on this phone and start its server, then: chat-demo/scripts/04-check-llm.sh',
      })
    })
  })

  describe('arguments', () => {
    it('--help prints the usage and exits 0', () => {
      const r = check('phone-a', ['--help'])
      expect(r.code).toBe(0)
      expect(r.stdout).toMatch(/^Usage: scripts\/check-phone\.sh \[--peer NAME\] \[--llm\] \[--pull\]\n/)
    })

    it.each([[['--bogus']], [['--peer']], [['--peer', 'Phone_B']]])('%j is a bad argument: exit 2 with the usage', (args) => {
      const r = check('phone-a', args)
      expect(r.code).toBe(2)
      expect(r.stderr).toMatch(/^error: .*\n\nUsage: scripts\/check-phone\.sh/)
      expect(sim.calls('tailscale', 'phone-a')).toEqual([])
    })

    it('without jq: exit 1 and how to install it', () => {
      uninstall('phone-a', 'jq')
      const r = check('phone-a')
      expect(r.code).toBe(1)
      expect(r.stderr).toContain(' ✗  \'jq\' is not installed.\n    → Install it: sudo apt install -y jq')
    })
  })
})
