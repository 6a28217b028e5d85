// scripts/record.sh and scripts/fetch-kubeconfig.sh, run for real against stub programs
// (test/support/shell-harness.ts): asciinema, kubectl, ssh and scp answer the way they document.
import { readFileSync, statSync } from 'node:fs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { parseCast } from '../../plugins/cast.ts'
import { parseClusterRecording, slimEvent } from '../../plugins/cluster-events.ts'
import { createSandbox, type Sandbox } from '../support/shell-harness.ts'
import { rawNode, rawPod } from './kube-objects.ts'

let sb: Sandbox
beforeEach(() => {
  sb = createSandbox()
})
afterEach(() => sb.cleanup())

/**
 * asciinema's `rec`: runs --command with sh -c in a terminal and writes a cast. This stand-in runs it
 * without a terminal and writes the v2 header asciinema 2 writes (v3 for 3.x unless asked for v2).
 */
function stubAsciinema(version = '2.4.0') {
  sb.stub('asciinema', `
if [[ $1 == --version ]]; then echo "asciinema ${version}"; exit 0; fi
[[ $1 == rec ]] || exit 64
shift
format=v2; [[ "${version}" == 3* ]] && format=v3
while (($# > 1)); do
  case $1 in
    --command) cmd=$2; shift 2 ;;
    --title | --idle-time-limit) shift 2 ;;
    --output-format) [[ $2 == asciicast-v2 ]] && format=v2; shift 2 ;;
    *) shift ;;
  esac
done
file=$1
out=$(sh -c "$cmd" 2>&1) || true
if [[ $format == v3 ]]; then
  printf '{"version": 3, "term": {"cols": 80, "rows": 24}}\\n' >"$file"
else
  printf '{"version": 2, "width": 80, "height": 24, "timestamp": 1763720100, "idle_time_limit": 2.0}\\n' >"$file"
fi
printf '%s' "$out" | /usr/bin/jq -Rsc '[0.25, "o", .]' >>"$file"
`)
}

const raws = [
  rawNode('ADDED', 'phone-a', true, true),
  rawPod('ADDED', 'echo-6d8f7c9b5d-x2kqp', { node: 'phone-a', phase: 'Running', ready: true }),
  rawPod('MODIFIED', 'echo-6d8f7c9b5d-x2kqp', { node: 'phone-a', phase: 'Running', ready: true, deleting: true }),
  rawPod('ADDED', 'echo-6d8f7c9b5d-q9w2f', { labels: { app: 'echo' } }),
  rawPod('DELETED', 'echo-6d8f7c9b5d-x2kqp', { node: 'phone-a', phase: 'Succeeded', deleting: true }),
  { type: 'BOOKMARK', object: { kind: 'Pod', metadata: { name: '', resourceVersion: '12345' } } },
]

/** kubectl: the API answers; `get nodes|pods --watch` prints events as kubectl does (indented JSON), then watches. */
function stubKubectl() {
  const nodes = raws.filter(r => r.object.kind === 'Node' || r.type === 'BOOKMARK').map(r => JSON.stringify(r, null, 4)).join('\n')
  const pods = raws.filter(r => r.object.kind === 'Pod' && r.type !== 'BOOKMARK').map(r => JSON.stringify(r, null, 4)).join('\n')
  sb.write('nodes.json', `${nodes}\n`)
  sb.write('pods.json', `${pods}\n`)
  sb.stub('kubectl', `
case "$*" in
  "get --raw=/readyz --request-timeout=5s") echo ok ;;
  "get nodes -o json --watch --output-watch-events") cat "$STUB_SANDBOX/nodes.json"; exec /bin/sleep 30 ;;
  "get pods --all-namespaces -o json --watch --output-watch-events") cat "$STUB_SANDBOX/pods.json"; exec /bin/sleep 30 ;;
  *) echo "kubectl stub: unexpected $*" >&2; exit 1 ;;
esac`)
}

describe('scripts/record.sh', () => {
  beforeEach(() => {
    sb.write('root/etc/rancher/k3s/config.yaml', 'node-name: phone-a\n')
    sb.stub('jq', 'exec /usr/bin/jq "$@"')
  })

  it('records a demo script into an asciinema v2 cast whose header names the host and the date', () => {
    stubAsciinema()
    const r = sb.run('scripts/record.sh', ['-o', sb.path('out/05.cast'), 'echo-demo/scripts/05-scale-echo.sh', '--help'])
    expect(r.code, r.output).toBe(0)
    const cast = parseCast(readFileSync(sb.path('out/05.cast'), 'utf8'))
    expect(cast.header).toMatchObject({ version: 2, width: 80, height: 24, idle_time_limit: 2, host: 'phone-a' })
    expect(cast.header.date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    expect(Math.abs(Date.parse(cast.header.date!) - Date.now())).toBeLessThan(60_000)
    const shown = cast.events.map(event => event[2]).join('')
    expect(shown).toContain('./echo-demo/scripts/05-scale-echo.sh --help') // the prompt line
    expect(shown).toContain('Usage: 05-scale-echo.sh [REPLICAS]') // the script's own output
    const rec = sb.argvs('asciinema').find(argv => argv.startsWith('rec'))!
    expect(rec).toContain('--title 05-scale-echo: ./echo-demo/scripts/05-scale-echo.sh --help (on phone-a, ')
    expect(rec).not.toContain('--output-format')
    expect(r.output).toContain('Saved')
  })

  it('asks asciinema 3 for the v2 format', () => {
    stubAsciinema('3.0.1')
    const r = sb.run('scripts/record.sh', ['-o', sb.path('v3.cast'), 'echo-demo/scripts/05-scale-echo.sh', '--help'])
    expect(r.code, r.output).toBe(0)
    expect(sb.argvs('asciinema').find(argv => argv.startsWith('rec'))).toContain('--output-format asciicast-v2')
    expect(parseCast(readFileSync(sb.path('v3.cast'), 'utf8')).header.version).toBe(2)
  })

  it('refuses a recording that is not v2', () => {
    sb.stub('asciinema', `
[[ $1 == --version ]] && { echo "asciinema 2.4.0"; exit 0; }
printf '{"version": 3, "term": {"cols": 80, "rows": 24}}\\n' >"\${@: -1}"`)
    const r = sb.run('scripts/record.sh', ['-o', sb.path('bad.cast'), 'echo-demo/scripts/05-scale-echo.sh'])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/not an asciinema v2 recording/)
  })

  it('records the cluster\'s changes as ClusterView\'s slim events, the same fields as the dev server sends', () => {
    stubAsciinema()
    stubKubectl()
    sb.stub('sleep', 'exec /bin/sleep "$@"') // the settle time really passes, so the watchers get their say
    const r = sb.run('scripts/record.sh', ['--cluster', '--settle', '1', '-o', sb.path('out/scale.cast'), 'echo-demo/scripts/05-scale-echo.sh', '--help'])
    expect(r.code, r.output).toBe(0)
    const recording = parseClusterRecording(readFileSync(sb.path('out/scale.cluster.jsonl'), 'utf8'))
    expect(recording.header).toMatchObject({ version: 1, kind: 'cluster-events', host: 'phone-a' })
    expect(recording.header.title).toBe('05-scale-echo: ./echo-demo/scripts/05-scale-echo.sh --help')
    const expected = raws.map(raw => slimEvent(raw)).filter(Boolean)
    expect(recording.events.map(([, event]) => event)).toEqual(expect.arrayContaining(expected))
    expect(recording.events).toHaveLength(expected.length)
    for (const [seconds] of recording.events)
      expect(seconds).toBeGreaterThanOrEqual(0)
    // pods keep their order within the stream
    const pods = recording.events.map(([, e]) => e).filter(e => e.kind === 'Pod').map(e => e.type)
    expect(pods).toEqual(['ADDED', 'MODIFIED', 'ADDED', 'DELETED'])
  })

  it('runs the script on a phone over ssh, in its clone, and names that phone as the host', () => {
    stubAsciinema()
    sb.stub('ssh', 'echo "ran on the phone: $*"')
    const r = sb.run('scripts/record.sh', ['--ssh', 'droid@phone-b', '-o', sb.path('ssh.cast'), 'echo-demo/scripts/05-scale-echo.sh', '3'])
    expect(r.code, r.output).toBe(0)
    expect(sb.argvs('ssh')).toEqual(['-t droid@phone-b cd k3s-on-phone-demo && ./echo-demo/scripts/05-scale-echo.sh 3 '])
    const cast = parseCast(readFileSync(sb.path('ssh.cast'), 'utf8'))
    expect(cast.header.host).toBe('phone-b')
  })

  it('records a shell session under the name given', () => {
    stubAsciinema()
    const r = sb.run('scripts/record.sh', ['--shell', '--name', 'delete-pod', '-o', sb.path('shell.cast')], { env: { SHELL: '/bin/bash' } })
    expect(r.code, r.output).toBe(0)
    const rec = sb.argvs('asciinema').find(argv => argv.startsWith('rec'))!
    expect(rec).toContain('--title delete-pod: /bin/bash (on phone-a, ')
    expect(parseCast(readFileSync(sb.path('shell.cast'), 'utf8')).header.host).toBe('phone-a')
  })

  it('records only demo scripts', () => {
    stubAsciinema()
    for (const script of ['scripts/record.sh', '/etc/passwd', 'echo-demo/manifests/echo.yaml']) {
      const r = sb.run('scripts/record.sh', ['-o', sb.path('x.cast'), script])
      expect(r.code, script).toBe(1)
      expect(r.stderr).toMatch(/Not a demo script|No such script/)
    }
    expect(sb.argvs('asciinema').some(argv => argv.startsWith('rec'))).toBe(false)
  })

  it('says how to install asciinema when it is missing', () => {
    const r = sb.run('scripts/record.sh', ['echo-demo/scripts/05-scale-echo.sh'])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/'asciinema' is not installed[\s\S]*apt-get install -y asciinema/)
  })

  it('explains usage errors with exit 2', () => {
    for (const args of [[], ['--shell'], ['--shell', 'x.sh', '--name', 'a'], ['--settle', 'soon', 'x.sh'], ['--name', 'Bad Name', 'x.sh'], ['--bogus'], ['--ssh']]) {
      const r = sb.run('scripts/record.sh', args)
      expect(r.code, args.join(' ')).toBe(2)
      expect(r.stderr).toMatch(/^error: /)
      expect(r.stderr).toContain('Usage: scripts/record.sh')
    }
    expect(sb.run('scripts/record.sh', ['--help']).stdout).toContain('--cluster')
  })
})

const K3S_YAML = `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==
    server: https://127.0.0.1:6443
  name: default
contexts:
- context:
    cluster: default
    user: default
  name: default
current-context: default
kind: Config
preferences: {}
users:
- name: default
  user:
    client-certificate-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==
    client-key-data: LS0tLS1CRUdJTiBFQyBQUklWQVRFIEtFWS0tLS0tCg==
`

describe('scripts/fetch-kubeconfig.sh', () => {
  beforeEach(() => {
    sb.write('phone/k3s.yaml', K3S_YAML)
    sb.stub('ssh', '[[ "${@: -1}" == "tailscale ip -4" ]] && printf "100.101.1.10\\nfd7a:115c:a1e0::1\\n"')
    sb.stub('scp', 'cp "$STUB_SANDBOX/phone/k3s.yaml" "${@: -1}"')
    sb.stub('kubectl', 'echo "NAME      STATUS   ROLES           AGE   VERSION"; echo "phone-a   Ready    control-plane   31m   v1.34.3+k3s3"')
  })

  it('copies the kubeconfig over ssh and points it at the phone\'s tailnet address, readable only by you', () => {
    const r = sb.run('scripts/fetch-kubeconfig.sh', ['phone-a'])
    expect(r.code, r.output).toBe(0)
    const file = sb.path('home/.kube/k3s-on-phone.yaml')
    expect(readFileSync(file, 'utf8')).toBe(K3S_YAML.replace('https://127.0.0.1:6443', 'https://100.101.1.10:6443'))
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(sb.argvs('ssh')).toEqual(['-o BatchMode=yes -o ConnectTimeout=10 droid@phone-a tailscale ip -4'])
    expect(sb.argvs('scp')[0]).toMatch(/^-q -o BatchMode=yes droid@phone-a:\/etc\/rancher\/k3s\/k3s\.yaml \S+$/)
    expect(sb.calls('kubectl')[0].env.KUBECONFIG).toBe(file)
    expect(r.stdout).toContain(`export KUBECONFIG=${file}`)
    expect(r.stdout).toContain('kubectl on this laptop reaches the cluster')
  })

  it('writes where -o says, as the user --user says, and leaves ~/.kube/config alone', () => {
    sb.write('home/.kube/config', 'mine\n')
    const r = sb.run('scripts/fetch-kubeconfig.sh', ['--user', 'pi', '-o', sb.path('cfg/phones.yaml'), 'phone-a.tail1234.ts.net'])
    expect(r.code, r.output).toBe(0)
    expect(readFileSync(sb.path('cfg/phones.yaml'), 'utf8')).toContain('server: https://100.101.1.10:6443')
    expect(readFileSync(sb.path('home/.kube/config'), 'utf8')).toBe('mine\n')
    expect(sb.argvs('ssh')[0]).toContain('pi@phone-a.tail1234.ts.net')
  })

  it('says what to check when ssh fails, the phone has no tailnet address or no kubeconfig', () => {
    sb.stub('ssh', 'echo "ssh: connect to host phone-a port 22: Connection refused" >&2; exit 255')
    let r = sb.run('scripts/fetch-kubeconfig.sh', ['phone-a'])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/Can't run commands on droid@phone-a over ssh[\s\S]*README/)

    sb.stub('ssh', 'echo 192.168.1.20')
    r = sb.run('scripts/fetch-kubeconfig.sh', ['phone-a'])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/doesn't report a tailnet address[\s\S]*07-setup-tailscale\.sh phone-a/)

    sb.stub('ssh', 'echo 100.101.1.10')
    sb.stub('scp', 'echo "scp: /etc/rancher/k3s/k3s.yaml: No such file or directory" >&2; exit 1')
    r = sb.run('scripts/fetch-kubeconfig.sh', ['phone-a'])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/Can't copy \/etc\/rancher\/k3s\/k3s\.yaml[\s\S]*01-install-k3s\.sh/)
    expect(sb.calls('kubectl')).toEqual([])
  })

  it('warns, without failing, when the copied file doesn\'t reach the cluster yet', () => {
    sb.stub('kubectl', 'echo "Unable to connect to the server: dial tcp 100.101.1.10:6443: i/o timeout" >&2; exit 1')
    const r = sb.run('scripts/fetch-kubeconfig.sh', ['phone-a'])
    expect(r.code).toBe(0)
    expect(r.stderr).toMatch(/can't reach https:\/\/100\.101\.1\.10:6443/)
  })

  it('explains usage errors with exit 2', () => {
    for (const args of [[], ['a', 'b'], ['Phone_A'], ['--user'], ['--user', 'Bad User', 'phone-a'], ['--bogus']]) {
      const r = sb.run('scripts/fetch-kubeconfig.sh', args)
      expect(r.code, args.join(' ')).toBe(2)
      expect(r.stderr).toContain('Usage: scripts/fetch-kubeconfig.sh')
    }
    expect(sb.calls('ssh')).toEqual([])
  })
})
