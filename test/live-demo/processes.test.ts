// A live demo's processes (live-demo/node/processes.ts): a program in a real pseudo-terminal, and ending it
// with everything it started — also a child a shell moved into its own process group that ignores SIGHUP.
import type { IPty } from '@lydell/node-pty'
import { mkdtempSync, realpathSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { killTree, spawnTerminal } from '../../live-demo/node/processes.ts'
import { alive, waitGone } from './hub-client.ts'

let cwd: string
let pty: IPty | undefined
let output: string
let exited: Promise<number>

/** Starts `bash -c script` in a terminal, collecting its output. */
async function run(script: string, size = { cols: 80, rows: 24 }) {
  pty = await spawnTerminal({ file: '/bin/bash', args: ['-c', script], cwd, ...size, env: { LIVE_DEMO_SESSION: 'test-session' } })
  pty.onData((data) => {
    output += data
  })
  exited = new Promise(resolve => pty!.onExit(({ exitCode }) => resolve(exitCode)))
}

/** Waits (with a deadline, not a fixed sleep) until the output matches. */
async function outputMatching(pattern: RegExp, ms = 10_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + ms
  while (!pattern.test(output)) {
    if (Date.now() > deadline)
      throw new Error(`no ${pattern} in ${JSON.stringify(output)}`)
    await new Promise(resolve => setTimeout(resolve, 20))
  }
  return output.match(pattern)!
}

beforeEach(() => {
  cwd = realpathSync(mkdtempSync(join(tmpdir(), 'live-demo-processes-')))
  output = ''
  pty = undefined
})

afterEach(async () => {
  if (pty)
    await killTree(pty.pid, 100)
  rmSync(cwd, { recursive: true, force: true })
})

describe('a program in a pseudo-terminal', () => {
  it('has a terminal of the size asked for, in the directory asked for, with its session named', async () => {
    await run('[[ -t 0 && -t 1 ]] && echo "tty yes"; stty size; echo "in $PWD as $LIVE_DEMO_SESSION with $TERM"', { cols: 97, rows: 31 })
    expect(await exited).toBe(0)
    expect(output).toContain('tty yes')
    expect(output).toContain('31 97')
    expect(output).toContain(`in ${cwd} as test-session with xterm-256color`)
  })

  it('is the leader of its own session and process group', async () => {
    await run('read -r _ _ _ _ pgrp session _ </proc/$$/stat; echo "pid $$ group $pgrp session $session"; read -r')
    const [, pid, group, session] = (await outputMatching(/pid (\d+) group (\d+) session (\d+)/)).map(Number)
    expect(group).toBe(pid)
    expect(session).toBe(pid)
    expect(pty!.pid).toBe(pid)
  })
})

describe('ending it', () => {
  it('ends the program and a child in another process group that ignores SIGHUP', async () => {
    await run('set -m\n(trap "" HUP; exec sleep 300) &\necho "pids $$ $!"\nwait')
    const [, leader, child] = (await outputMatching(/pids (\d+) (\d+)/)).map(Number)
    expect(alive(leader) && alive(child)).toBe(true)
    await killTree(leader, 300)
    expect(await waitGone([leader, child])).toEqual([])
  })

  it('kills a program that ignores SIGHUP once the grace time is over', async () => {
    await run('trap "" HUP; echo "ready $$"; while :; do sleep 1; done')
    const [, leader] = (await outputMatching(/ready (\d+)/)).map(Number)
    await killTree(leader, 200)
    expect(await waitGone([leader])).toEqual([])
  })
})
