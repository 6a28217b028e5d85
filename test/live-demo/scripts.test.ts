// The laptop's tools, scripts/fetch-kubeconfig.sh and scripts/record.sh, run for real on the simulated
// laptop (tools/phone-sim): ssh and scp reach phone-a over the tailnet, kubectl the cluster on it.
import type { Sim } from '../../tools/phone-sim/index.ts'
import { chmodSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { parseCast } from '../../formats/cast.ts'
import { parseClusterRecording, slimEvent } from '../../formats/cluster-events.ts'
import { createSim, REPO_ROOT } from '../../tools/phone-sim/index.ts'
import { findTool, hostDir } from '../../tools/phone-sim/layout.ts'

let sim: Sim
beforeEach(() => {
  sim = createSim()
})
afterEach(() => sim.cleanup())

const FETCH = 'scripts/fetch-kubeconfig.sh'
const RECORD = 'scripts/record.sh'
const KUBECONFIG = '~/.kube/k3s-on-phone.yaml'

const tailnetIp = (host: string) => sim.world().tailnet.devices.find(d => d.host === host && !d.expired)!.ip

/** Adds a program to a machine (e.g. kubectl on the laptop: `apt-get install kubectl` there). */
function install(host: string, program: string) {
  sim.update(w => void w.hosts[host].programs.push(program))
}

/**
 * The laptop may ssh to the phone as README's "Reach the phones from the laptop" describes: an ssh
 * server in the VM, the laptop's key authorized there (ssh-copy-id), the phone's host key known.
 */
function sshAccess(phone: string) {
  sim.update((w) => {
    const host = w.hosts[phone] as typeof w.hosts[string] & { sshAuthorized?: string[] }
    host.programs.push('sshd')
    host.sshAuthorized = ['laptop']
  })
  sim.write('laptop', '~/.ssh/id_ed25519', 'the laptop\'s private key\n', 0o600)
  const names = [phone, `${phone}.${sim.world().tailnet.domain}`, tailnetIp(phone)].join(',')
  const known = sim.exists('laptop', '~/.ssh/known_hosts') ? sim.read('laptop', '~/.ssh/known_hosts') : ''
  sim.write('laptop', '~/.ssh/known_hosts', `${known}${names} ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${phone}\n`)
}

/** k3s uninstalled and installed again on the phone (a fresh datastore: new certificates). */
function reinstallK3s(phone: string, step: 'server' | 'server-on-tailnet') {
  const r = sim.sh(phone, 'sudo k3s-uninstall.sh >/dev/null')
  expect(r.code, r.output).toBe(0)
  sim.setup(phone, step)
}

/** Runs a command line on the laptop with the fetched kubeconfig. */
const laptopKubectl = (args: string) => sim.sh('laptop', `KUBECONFIG=${sim.path('laptop', KUBECONFIG)} kubectl ${args}`)

/** Processes still running in this simulation (found by the SIM_DIR in their environment). */
function simProcesses(): string[] {
  return readdirSync('/proc').filter(pid => /^\d+$/.test(pid)).flatMap((pid) => {
    try {
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')
      return environ.includes(`SIM_DIR=${sim.dir}`) ? [readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim()] : []
    }
    catch {
      return [] // gone, or not ours
    }
  })
}

/** Pipes into a reader that stops early (`| head`, `| grep -q`): the writer may die of SIGPIPE under pipefail. */
function earlyExitPipes(script: string): string[] {
  return readFileSync(join(REPO_ROOT, script), 'utf8').split('\n').filter(line => !/^\s*#/.test(line) && /\|\s*(?:head\b|grep\s+-\w*[qm])/.test(line))
}

describe('scripts/fetch-kubeconfig.sh', () => {
  beforeEach(() => {
    sim.setup('phone-a', 'tailscale', 'server-on-tailnet')
    sim.setup('laptop', 'tailscale')
    sshAccess('phone-a')
    install('laptop', 'kubectl')
  }, 60_000)

  it('copies the kubeconfig over ssh, points it at the phone\'s tailnet IP, and the laptop\'s kubectl reaches the cluster with it', () => {
    const r = sim.run('laptop', FETCH, ['phone-a'])
    expect(r.code, r.output).toBe(0)
    const ip = tailnetIp('phone-a')
    const file = sim.path('laptop', KUBECONFIG)
    // The IP, not the MagicDNS name: k3s's certificate names the --node-ip address.
    expect(sim.read('laptop', KUBECONFIG)).toBe(sim.read('phone-a', '/etc/rancher/k3s/k3s.yaml').replace('https://127.0.0.1:6443', `https://${ip}:6443`))
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(r.stdout).toMatch(/NAME\s+STATUS[\s\S]*phone-a\s+Ready\s+control-plane/)
    expect(r.stdout).toContain('kubectl on this laptop reaches the cluster')
    expect(r.stdout).toContain(`export KUBECONFIG=${file}`)

    const nodes = laptopKubectl('get nodes -o name')
    expect(nodes.code, nodes.output).toBe(0)
    expect(nodes.stdout).toBe('node/phone-a\n')
  })

  it('writes where -o says, for the phone\'s full MagicDNS name and --user, and leaves ~/.kube/config alone', () => {
    sim.write('laptop', '~/.kube/config', 'mine\n')
    const out = sim.path('laptop', '~/cfg/phones.yaml')
    const r = sim.run('laptop', FETCH, ['--user', 'droid', '-o', out, 'phone-a.tail1234.ts.net'])
    expect(r.code, r.output).toBe(0)
    expect(readFileSync(out, 'utf8')).toContain(`server: https://${tailnetIp('phone-a')}:6443`)
    expect(sim.read('laptop', '~/.kube/config')).toBe('mine\n')
    expect(sim.argvs('ssh', 'laptop')).toEqual(['-o BatchMode=yes -o ConnectTimeout=10 droid@phone-a.tail1234.ts.net tailscale ip -4'])
  })

  it('reads ssh\'s whole answer instead of piping it into head (which can fail with SIGPIPE under pipefail)', () => {
    expect(earlyExitPipes(FETCH)).toEqual([])
  })

  describe('says what is wrong, and what to do, when it can\'t get the file (and writes nothing)', () => {
    const fails = (phone = 'phone-a') => {
      const r = sim.run('laptop', FETCH, [phone])
      expect(r.code, r.output).toBe(1)
      expect(r.hung).toBeNull()
      expect(sim.exists('laptop', KUBECONFIG)).toBe(false)
      return r
    }

    it('the phone doesn\'t answer (asleep, Terminal app closed): ssh gives up after ConnectTimeout', () => {
      sim.update(w => void (w.hosts['phone-a'].awake = false))
      const r = fails()
      expect(r.seconds).toBe(10)
      expect(r.stderr).toMatch(/phone-a doesn't answer over the tailnet \(ssh: connect to host phone-a port 22: Connection timed out\)[\s\S]*awake with the Terminal app open/)
    })

    it('the laptop doesn\'t know the phone\'s host key (BatchMode: ssh can\'t ask)', () => {
      rmSync(sim.path('laptop', '~/.ssh/known_hosts'))
      const r = fails()
      expect(r.stderr).toMatch(/doesn't know phone-a's ssh host key \(Host key verification failed\.\)[\s\S]*ssh droid@phone-a true/)
    })

    it('the phone refuses the laptop\'s key', () => {
      sim.update(w => void ((w.hosts['phone-a'] as unknown as { sshAuthorized: string[] }).sshAuthorized = []))
      const r = fails()
      expect(r.stderr).toMatch(/phone-a refused this laptop's ssh key \(droid@phone-a: Permission denied \(publickey,password\)\.\)[\s\S]*ssh-copy-id droid@phone-a/)
    })

    it('nothing on the phone accepts ssh', () => {
      sim.update(w => void (w.hosts['phone-a'].programs = w.hosts['phone-a'].programs.filter(p => p !== 'sshd')))
      const r = fails()
      expect(r.stderr).toMatch(/Nothing on phone-a accepts ssh \(ssh: connect to host phone-a port 22: Connection refused\)[\s\S]*openssh-server[\s\S]*tailscale set --ssh/)
    })

    it('the phone has left the tailnet', () => {
      expect(sim.sh('phone-a', 'sudo tailscale logout').code).toBe(0)
      const r = fails()
      expect(r.stderr).toMatch(/phone-a is not a name in the tailnet \(ssh: Could not resolve hostname phone-a[^)]*\)[\s\S]*07-setup-tailscale\.sh phone-a/)
    })

    it('the laptop isn\'t in the tailnet', () => {
      expect(sim.sh('laptop', 'sudo tailscale down').code).toBe(0)
      const r = fails()
      expect(r.stderr).toMatch(/phone-a: this laptop isn't in the tailnet[\s\S]*sudo tailscale up/)
    })

    it('k3s\'s server isn\'t installed on that phone (phone-b: Tailscale only)', () => {
      sim.setup('phone-b', 'tailscale')
      sshAccess('phone-b')
      const r = fails('phone-b')
      expect(r.stderr).toMatch(/phone-b has no \/etc\/rancher\/k3s\/k3s\.yaml: k3s's server isn't installed there[\s\S]*01-install-k3s\.sh/)
    })

    it('the kubeconfig is readable only by root (k3s installed without --write-kubeconfig-mode)', () => {
      sim.update((w) => {
        w.hosts['phone-a'].k3s!.kubeconfigMode = null
        w.hosts['phone-a'].k3s!.kubeconfigGroup = null
      })
      const r = fails()
      expect(r.stderr).toMatch(/k3s\.yaml on phone-a is readable only by root \(k3s was installed without --write-kubeconfig-mode\)[\s\S]*01-install-k3s\.sh makes it readable for droid/)
    })
  })

  it('says that a kubeconfig from before a reinstall of k3s is Unauthorized, and replaces it', () => {
    expect(sim.run('laptop', FETCH, ['phone-a']).code).toBe(0)
    reinstallK3s('phone-a', 'server-on-tailnet')
    const stale = laptopKubectl('get nodes')
    expect(stale.code).toBe(1)
    expect(stale.stderr).toContain('error: You must be logged in to the server (Unauthorized)')

    const r = sim.run('laptop', FETCH, ['phone-a'])
    expect(r.code, r.output).toBe(0)
    expect(r.stdout).toMatch(/k3s-on-phone\.yaml was from an earlier install of k3s on phone-a \(kubectl with it: Unauthorized\): replacing it/)
    expect(laptopKubectl('get nodes -o name').stdout).toBe('node/phone-a\n')
  })

  it('warns, without failing, when k3s\'s certificate doesn\'t name the tailnet IP (installed before Tailscale)', () => {
    reinstallK3s('phone-a', 'server')
    const r = sim.run('laptop', FETCH, ['phone-a'])
    expect(r.code, r.output).toBe(0)
    expect(r.stderr).toMatch(new RegExp(`k3s's certificate doesn't name ${tailnetIp('phone-a').replaceAll('.', '\\.')} \\(.*x509: certificate is valid for[\\s\\S]*--node-ip`))
  })

  it('warns, without failing, when the tailnet\'s policy doesn\'t let the laptop reach the API (tcp:6443)', () => {
    sim.update(w => void (w.tailnet.allow = ['tcp:22']))
    const r = sim.run('laptop', FETCH, ['phone-a'])
    expect(r.code, r.output).toBe(0)
    expect(r.stderr).toMatch(/kubectl can't reach https:\/\/100\.[\d.]+:6443 yet \(Unable to connect to the server: dial tcp [\d.]+:6443: i\/o timeout\)[\s\S]*tcp:6443/)
  })

  it('explains usage errors with exit 2', () => {
    for (const args of [[], ['a', 'b'], ['Phone_A'], ['--user'], ['--user', 'Bad User', 'phone-a'], ['--bogus']]) {
      const r = sim.run('laptop', FETCH, args)
      expect(r.code, args.join(' ')).toBe(2)
      expect(r.stderr).toContain('Usage: scripts/fetch-kubeconfig.sh')
    }
    expect(sim.run('laptop', FETCH, ['--help']).code).toBe(0)
    expect(sim.calls('ssh')).toEqual([])
  })
})

/**
 * A stand-in for asciinema (Debian's package, asciinema 2.2.0; not a program of the phones, and not
 * installed on this machine): `--version`, and `rec` with the options of `asciinema rec --help`
 * (2.2.0; 3.x adds --output-format and writes asciicast v3 by default) — any other option is an
 * error, as argparse makes it. Like asciinema it runs the command with `sh -c` in a pseudo-terminal
 * (util-linux script) and writes the header and the output as an asciicast.
 */
function installAsciinema(version = '2.2.0') {
  install('laptop', 'asciinema')
  const file = join(hostDir(sim.dir, 'laptop'), 'bin/asciinema')
  rmSync(file, { force: true })
  writeFileSync(file, `#!/usr/bin/env bash
set -euo pipefail
version='${version}'
if [[ \${1:-} == --version ]]; then echo "asciinema $version"; exit 0; fi
[[ \${1:-} == rec ]] || { echo "asciinema: error: invalid choice: '\${1:-}'" >&2; exit 2; }
shift
format=v2; [[ $version == 3* ]] && format=v3
command=\${SHELL:-sh} title='' idle=null overwrite=false file=''
while (($#)); do
  case $1 in
    -c | --command) command=$2; shift 2 ;;
    -t | --title) title=$2; shift 2 ;;
    -i | --idle-time-limit) idle=$2; shift 2 ;;
    --overwrite) overwrite=true; shift ;;
    -q | --quiet | -y | --yes | --stdin | --append | --raw) shift ;;
    -e | --env | --cols | --rows) shift 2 ;;
    --output-format)
      [[ $version == 3* ]] || { echo "asciinema: error: unrecognized arguments: $1" >&2; exit 2; }
      [[ $2 == asciicast-v2 ]] && format=v2
      shift 2 ;;
    -*) echo "asciinema: error: unrecognized arguments: $1" >&2; exit 2 ;;
    *) file=$1; shift ;;
  esac
done
[[ -n $file ]] || { echo 'asciinema: error: the following arguments are required: filename' >&2; exit 2; }
if [[ -e $file ]] && ! $overwrite; then echo "asciinema: $file already exists, aborting (use --overwrite)" >&2; exit 1; fi
output=$(SHELL=$(command -v sh) '${findTool('script')}' -q -e -c "$command" /dev/null) || true
if [[ $format == v3 ]]; then
  printf '{"version": 3, "term": {"cols": 80, "rows": 24}}\\n' >"$file"
else
  jq -cn --arg title "$title" --arg command "$command" --argjson idle "$idle" \\
    '{version: 2, width: 80, height: 24, timestamp: (now | floor), idle_time_limit: $idle, command: $command, title: $title}' >"$file"
fi
jq -Rsc '[0.25, "o", .]' <<<"$output" >>"$file"
`)
  chmodSync(file, 0o755)
}

describe('scripts/record.sh', () => {
  beforeEach(() => {
    installAsciinema()
  })

  const castAt = (file: string) => parseCast(sim.read('laptop', file))
  const shown = (file: string) => castAt(file).events.map(event => event[2]).join('')

  it('records a demo script into an asciinema v2 cast whose header names the host and the date', () => {
    const r = sim.run('laptop', RECORD, ['-o', sim.path('laptop', '~/out/05.cast'), 'echo-demo/scripts/05-scale-echo.sh', '--help'])
    expect(r.code, r.output).toBe(0)
    const cast = castAt('~/out/05.cast')
    expect(cast.header).toMatchObject({ version: 2, width: 80, height: 24, idle_time_limit: 2, host: 'laptop' })
    expect(cast.header.date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    expect(Math.abs(Date.parse(cast.header.date!) - Date.now())).toBeLessThan(120_000)
    expect((cast.header as { title?: string }).title).toMatch(/^05-scale-echo: \.\/echo-demo\/scripts\/05-scale-echo\.sh --help \(on laptop, /)
    expect(shown('~/out/05.cast')).toContain('./echo-demo/scripts/05-scale-echo.sh --help') // the prompt line
    expect(shown('~/out/05.cast')).toContain('Usage: 05-scale-echo.sh [REPLICAS]') // the script's own output
    expect(r.stdout).toMatch(/asciinema 2\.2\.0[\s\S]*Saved/)
  })

  it('asks asciinema 3 for the v2 format', () => {
    installAsciinema('3.0.1')
    const r = sim.run('laptop', RECORD, ['-o', sim.path('laptop', '~/v3.cast'), 'echo-demo/scripts/05-scale-echo.sh', '--help'])
    expect(r.code, r.output).toBe(0)
    expect(castAt('~/v3.cast').header.version).toBe(2)
  })

  it('refuses a recording that is not v2 (an asciinema 3 whose version it can\'t read)', () => {
    installAsciinema('3.x-git')
    const r = sim.run('laptop', RECORD, ['-o', sim.path('laptop', '~/bad.cast'), 'echo-demo/scripts/05-scale-echo.sh', '--help'])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/not an asciinema v2 recording[\s\S]*--output-format asciicast-v2/)
  })

  it('reads asciinema\'s version without piping into head (which can fail with SIGPIPE under pipefail)', () => {
    expect(earlyExitPipes(RECORD)).toEqual([])
  })

  describe('with a phone over ssh', () => {
    beforeEach(() => {
      sim.setup('phone-a', 'tailscale', 'server-on-tailnet')
      expect(sim.run('phone-a', 'echo-demo/scripts/03-deploy-echo.sh').code).toBe(0)
      sim.setup('laptop', 'tailscale')
      sshAccess('phone-a')
      install('laptop', 'kubectl')
      expect(sim.run('laptop', FETCH, ['phone-a']).code).toBe(0)
      sim.resetCalls()
    }, 60_000)

    it('runs the script on the phone, in its clone, and names that phone as the host', () => {
      const r = sim.run('laptop', RECORD, ['--ssh', 'droid@phone-a', '-o', sim.path('laptop', '~/ssh.cast'), 'echo-demo/scripts/05-scale-echo.sh', '2'])
      expect(r.code, r.output).toBe(0)
      expect(sim.argvs('ssh', 'laptop')).toEqual(['-t droid@phone-a cd k3s-on-phone-demo && ./echo-demo/scripts/05-scale-echo.sh 2 '])
      expect(castAt('~/ssh.cast').header.host).toBe('phone-a')
      expect(shown('~/ssh.cast')).toMatch(/Scale to 2[\s\S]*Pods per node/)
      // It ran there: phone-a's kubectl scaled the deployment.
      expect(sim.calls('kubectl', 'phone-a').length).toBeGreaterThan(0)
      const echo = sim.world().cluster!.objects.find(o => o.kind === 'Deployment' && o.metadata.name === 'echo')!
      expect((echo.spec as { replicas: number }).replicas).toBe(2)
    })

    it('--cluster saves how the cluster changed while the script ran: ClusterView\'s slim events', () => {
      const r = sim.run('laptop', RECORD, ['--cluster', '--ssh', 'droid@phone-a', '-o', sim.path('laptop', '~/out/scale.cast'), 'echo-demo/scripts/05-scale-echo.sh', '3'], {
        env: { KUBECONFIG: sim.path('laptop', KUBECONFIG) },
      })
      expect(r.code, r.output).toBe(0)
      expect(r.stdout).toMatch(/kubectl watches nodes and pods[\s\S]*Saved .*scale\.cluster\.jsonl \(\d+ changes\)/)
      const recording = parseClusterRecording(sim.read('laptop', '~/out/scale.cluster.jsonl'))
      expect(recording.header).toMatchObject({ version: 1, kind: 'cluster-events', host: 'phone-a', title: '05-scale-echo: ./echo-demo/scripts/05-scale-echo.sh 3' })
      for (const [seconds] of recording.events) expect(seconds).toBeGreaterThanOrEqual(0)
      const events = recording.events.map(([, event]) => event)
      expect(events).toContainEqual({ type: 'ADDED', kind: 'Node', name: 'phone-a', ready: true, controlPlane: true })

      // Every echo pod the cluster has now was seen, and the last word on each is: running and ready on phone-a.
      const echoPods = sim.world().cluster!.objects.filter(o => o.kind === 'Pod' && o.metadata.labels?.['app.kubernetes.io/name'] === 'echo').map(o => o.metadata.name)
      expect(echoPods).toHaveLength(3)
      const last = new Map(events.filter(e => e.kind === 'Pod' && e.app === 'echo').map(e => [e.name, e]))
      expect([...last.keys()].sort()).toEqual(echoPods.sort())
      for (const event of last.values()) expect(event).toMatchObject({ namespace: 'default', node: 'phone-a', phase: 'Running', ready: true, deleting: false })
      // … with exactly the fields the dev server's feed sends (formats/cluster-events.ts slimEvent).
      const listed = JSON.parse(laptopKubectl('get pods -o json').stdout) as { items: Array<{ kind: string, metadata: { name: string } }> }
      const listedEcho = listed.items.filter(p => echoPods.includes(p.metadata.name))
      expect(listedEcho).toHaveLength(3)
      for (const pod of listedEcho)
        expect(last.get(pod.metadata.name)).toEqual(slimEvent({ type: last.get(pod.metadata.name)!.type, object: { ...pod, kind: 'Pod' } }))
      // The laptop's kubectl watched, and was stopped: none of the simulation's programs is left running.
      expect(sim.argvs('kubectl', 'laptop')).toEqual(expect.arrayContaining([
        'get nodes -o json --watch --output-watch-events',
        'get pods --all-namespaces -o json --watch --output-watch-events',
      ]))
      expect(simProcesses()).toEqual([])
    })

    it('--cluster refuses to start when the laptop\'s kubectl doesn\'t reach the cluster', () => {
      const r = sim.run('laptop', RECORD, ['--cluster', '-o', sim.path('laptop', '~/x.cast'), 'echo-demo/scripts/05-scale-echo.sh', '--help'])
      expect(r.code).toBe(1)
      expect(r.stderr).toMatch(/kubectl doesn't reach the cluster[\s\S]*fetch-kubeconfig\.sh phone-a/)
      expect(sim.exists('laptop', '~/x.cast')).toBe(false)
    })
  })

  it('records a shell session under the name given', () => {
    const r = sim.run('laptop', RECORD, ['--shell', '--name', 'delete-pod', '-o', sim.path('laptop', '~/shell.cast')], { env: { SHELL: '/bin/bash' }, input: 'exit\n' })
    expect(r.code, r.output).toBe(0)
    const cast = castAt('~/shell.cast')
    expect((cast.header as { title?: string }).title).toMatch(/^delete-pod: \/bin\/bash \(on laptop, /)
    expect(cast.header.host).toBe('laptop')
  })

  it('records only demo scripts', () => {
    for (const script of ['scripts/record.sh', '/etc/passwd', 'echo-demo/manifests/echo.yaml']) {
      const r = sim.run('laptop', RECORD, ['-o', sim.path('laptop', '~/x.cast'), script])
      expect(r.code, script).toBe(1)
      expect(r.stderr).toMatch(/Not a demo script|No such script/)
    }
    expect(sim.exists('laptop', '~/x.cast')).toBe(false)
  })

  it('says how to install asciinema when it is missing', () => {
    sim.update(w => void (w.hosts.laptop.programs = w.hosts.laptop.programs.filter(p => p !== 'asciinema')))
    const r = sim.run('laptop', RECORD, ['echo-demo/scripts/05-scale-echo.sh'])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/'asciinema' is not installed[\s\S]*apt-get install -y asciinema/)
  })

  it('explains usage errors with exit 2', () => {
    for (const args of [[], ['--shell'], ['--shell', 'x.sh', '--name', 'a'], ['--settle', 'soon', 'x.sh'], ['--name', 'Bad Name', 'x.sh'], ['--bogus'], ['--ssh']]) {
      const r = sim.run('laptop', RECORD, args)
      expect(r.code, args.join(' ')).toBe(2)
      expect(r.stderr).toMatch(/^error: /)
      expect(r.stderr).toContain('Usage: scripts/record.sh')
    }
    expect(sim.run('laptop', RECORD, ['--help']).stdout).toContain('--cluster')
  })
})
