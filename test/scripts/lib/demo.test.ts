// scripts/lib/demo.sh's shell helpers, in small scripts that source it on a simulated phone: the ERR
// trap that names what failed, the numeric argument reader and the tally of 04b/04c.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../../../tools/phone-sim/index.ts'
import { useSim } from '../../support/script-scenes.ts'

const sim = useSim()

/** A script in phone-a's home that sources demo.sh as the demo scripts do, then runs BODY. */
function script(name: string, usage: string, body: string): string {
  sim.write('phone-a', `~/${name}`, `#!/usr/bin/env bash
# Usage: ${name} ${usage}
set -euo pipefail
source "${REPO_ROOT}/scripts/lib/demo.sh"
${body}
`, 0o755)
  return sim.path('phone-a', `~/${name}`)
}
/** The lines with a ✗: an error of die, or of the ERR trap. */
const crosses = (stderr: string) => stderr.split('\n').filter(l => l.includes('✗'))
/** The line of FILE (from the repository root) that starts with TEXT, after its indentation. */
const lineOf = (file: string, text: string) => readFileSync(join(REPO_ROOT, file), 'utf8').split('\n').findIndex(l => l.trimStart().startsWith(text)) + 1

describe('the ERR trap', () => {
  it('names the script, the line and the command that failed, and keeps its exit status', () => {
    const r = sim.run('phone-a', script('failing.sh', '', 'info "before"\nkubectl get nodes\necho "not reached"'))
    expect(r.code).toBe(127)
    expect(r.stderr).toContain('kubectl: command not found')
    expect(crosses(r.stderr)).toEqual([' ✗  failing.sh line 6: kubectl get nodes exited 127'])
    expect(r.stdout).not.toContain('not reached')
  })

  it('stays silent where a failure is handled: || true, if, until, x=$(…) || …, a failing command inside $(…)', () => {
    const r = sim.run('phone-a', script('handled.sh', '', `false || true
if kubectl get nodes 2>/dev/null; then echo never; fi
until true; do :; done
found=$(grep -c nothing /dev/null) || found=none
inner=$(false; echo after)
! node_is_ready phone-z
echo "done: $found $inner"`))
    expect(r.code, r.output).toBe(0)
    expect(r.stdout).toBe('done: none after\n')
    expect(r.stderr).toBe('')
  })

  it('adds nothing to die (exit 1 with its own hint) nor to a usage error (exit 2)', () => {
    const died = sim.run('phone-a', script('dies.sh', '', 'require_node phone-z'))
    expect(died.code).toBe(1)
    expect(crosses(died.stderr)).toEqual([' ✗  There is no node called phone-z.'])
    const misused = sim.run('phone-a', script('misused.sh', '', 'expect_no_arguments "$@"'), ['extra'])
    expect(misused.code).toBe(2)
    expect(misused.stderr).toMatch(/^error: unknown argument: extra\n\nUsage: misused\.sh/)
    expect(crosses(misused.stderr)).toEqual([])
  })

  it('in a function names the function; in a helper of demo.sh also the line of the script that called it', () => {
    const own = sim.run('phone-a', script('own.sh', '', 'check() {\n  kubectl get nodes\n}\ncheck'))
    expect(crosses(own.stderr)).toEqual([' ✗  own.sh line 6 (in check): kubectl get nodes exited 127'])
    const helper = sim.run('phone-a', script('helper.sh', '', 'info "phone-z?"\nnode_is_ready phone-z'))
    expect(helper.code).toBe(1)
    const line = lineOf('scripts/lib/demo.sh', '[[ $(kubectl get node "$1"')
    expect(crosses(helper.stderr)).toEqual([expect.stringMatching(new RegExp(`^ ✗  demo\\.sh line ${line} \\(in node_is_ready, called from helper\\.sh line 6\\): \\[\\[ \\$\\(kubectl get node .* exited 1$`))])
  })

  it('names the first line of a command written over several lines, and what each command of a failed pipeline exited', () => {
    const r = sim.run('phone-a', script('lines.sh', '', 'printf "a\\n" |\n  grep b |\n  sort'))
    expect(r.code).toBe(1)
    expect(crosses(r.stderr)).toEqual([' ✗  lines.sh line 5: printf "a\\n" | … exited 1 (the pipeline\'s commands exited 0 1 0)'])
  })

  it('names the line in a demo script too, after the failing program\'s own message', () => {
    sim.sh('phone-a', 'rm "$DEMO_SYSROOT/proc/meminfo"')
    const r = sim.run('phone-a', 'scripts/check-phone.sh')
    expect(r.code).toBe(2)
    const line = lineOf('scripts/check-phone.sh', 'mem_total=$(awk')
    expect(line).toBeGreaterThan(0)
    expect(r.stderr).toContain('proc/meminfo')
    expect(crosses(r.stderr)).toEqual([expect.stringMatching(new RegExp(`^ ✗  check-phone\\.sh line ${line}: mem_total=\\$\\(awk .* exited 2$`))])
  })
})

describe('read_number_argument and read_number', () => {
  const counts = () => script('count.sh', '[N]', 'read_number_argument N 10 1 1000 "$@"\necho "N=$N"')

  it.each([[[], 'N=10'], [['1'], 'N=1'], [['1000'], 'N=1000'], [['0042'], 'N=42']])('%j reads as %s', (args, printed) => {
    const r = sim.run('phone-a', counts(), args)
    expect(r.code, r.output).toBe(0)
    expect(r.stdout).toBe(`${printed}\n`)
  })

  it.each([['0'], ['1001'], ['-5'], ['abc'], ['1e3'], [''], [' 5'], ['99999999999999999999']])('%j is a usage error: exit 2, the bounds and the value named, no other message', (value) => {
    const r = sim.run('phone-a', counts(), [value])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(new RegExp(`^error: N must be a number from 1 to 1000, not '${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}'\n\nUsage: count\\.sh \\[N\\]`))
    expect(crosses(r.stderr)).toEqual([])
    expect(r.stdout).toBe('')
  })

  it('--help prints the usage; a second argument is a usage error', () => {
    expect(sim.run('phone-a', counts(), ['--help']).stdout).toBe('Usage: count.sh [N]\n')
    const r = sim.run('phone-a', counts(), ['1', '2'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/^error: too many arguments: 2\n/)
  })

  it('read_number takes its bounds and the name to show, e.g. 0 replicas but not 11, and --settle (seconds)', () => {
    const replicas = script('replicas.sh', '[REPLICAS]', 'read_number REPLICAS 0 10 "$1"\nread_number SETTLE 0 999 "$2" "--settle (seconds)"\necho "$REPLICAS $SETTLE"')
    expect(sim.run('phone-a', replicas, ['0', '5']).stdout).toBe('0 5\n')
    expect(sim.run('phone-a', replicas, ['11', '5']).stderr).toMatch(/^error: REPLICAS must be a number from 0 to 10, not '11'\n/)
    expect(sim.run('phone-a', replicas, ['3', 'soon']).stderr).toMatch(/^error: --settle \(seconds\) must be a number from 0 to 999, not 'soon'\n/)
  })
})

describe('new_tally and read_tally', () => {
  /** A tally of the answers given as arguments, as 04b and 04c make it; TALLY's path saved in ~/tally-path. */
  const tallied = (...answers: string[]) => sim.run('phone-a', script('tally.sh', 'ANSWER...', `new_tally
echo "$TALLY" >"$HOME/tally-path"
printf '%s\\n' "$@" | sort | uniq -c | tee "$TALLY"
read_tally "$#"
echo "ANSWERS=$ANSWERS"`), answers)
  const tallyFileLeft = () => existsSync(sim.read('phone-a', '~/tally-path').trim())

  it('counts the different answers, says nothing when all came, and removes its file', () => {
    const r = tallied('pod-a', 'pod-b', 'pod-a')
    expect(r.code, r.output).toBe(0)
    expect(r.stdout).toBe('      2 pod-a\n      1 pod-b\nANSWERS=2\n')
    expect(r.stderr).toBe('')
    expect(tallyFileLeft()).toBe(false)
  })

  it('warns when some requests got no answer, and does not count them as an answer', () => {
    const r = tallied('pod-a', '(no answer)', 'pod-a')
    expect(r.code, r.output).toBe(0)
    expect(r.stdout).toContain('ANSWERS=1\n')
    expect(r.stderr).toContain('Some requests got no answer')
  })

  it('dies when none did (one message, exit 1), and still removes its file', () => {
    const r = tallied('(no answer)', '(no answer)')
    expect(r.code).toBe(1)
    expect(crosses(r.stderr)).toEqual([' ✗  None of the 2 requests got an answer.'])
    expect(r.stdout).not.toContain('ANSWERS=')
    expect(tallyFileLeft()).toBe(false)
  })
})
