// `slidev export` starts a dev server too: live demos must stay off there, and the PDF shows what the
// recordings end with, as text (a PDF can't play anything). The fixture deck, exported for real.
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { parseClusterRecording, stateAt } from '../../formats/cluster-events.ts'
import { chromiumPath } from '../../tools/chromium.ts'
import { repoRoot } from '../../tools/deck.ts'
import { fixtureDeck, slidevBin } from './live-demo-support.ts'

describe('exporting a deck with live demos', () => {
  it('opens no terminal and prints the recordings\' final frames as text', async () => {
    const pdf = join(mkdtempSync(join(tmpdir(), 'live-demo-export-')), 'fixture.pdf')
    const { stdout, stderr } = await promisify(execFile)(slidevBin, ['export', fixtureDeck, '--output', pdf, '--executable-path', chromiumPath], {
      cwd: repoRoot,
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, NO_COLOR: '1' },
    })
    // The plugin saw the export's dev server and refused, saying why.
    expect(stdout + stderr).toContain('live demos are off while exporting (slidev export)')

    const { stdout: text } = await promisify(execFile)('pdftotext', ['-layout', pdf, '-'])
    // The script slide: the code and its file, no run button, no terminal
    expect(text).toContain('scripts/hello.sh')
    expect(text).not.toMatch(/▶|live on this laptop/) // no run button, no play button: nothing in a PDF plays
    // The cast: its final screen, labelled as simulated
    expect(text).toContain('deployment "echo" successfully rolled out')
    expect(text).toContain('==> The Service')
    expect(text).toContain('simulated phone')
    // ClusterView: the recording's last picture, every echo pod it ends with
    const recording = parseClusterRecording(readFileSync(join(repoRoot, 'echo-demo/recordings/05-scale-echo-two-phones.simulated.cluster.jsonl'), 'utf8'))
    const echoPods = [...stateAt(recording, recording.duration).pods.values()].filter(pod => pod.app === 'echo')
    expect(echoPods.length).toBe(3)
    for (const pod of echoPods)
      expect(text).toContain(`echo-…${pod.name.split('-').at(-1)}`)
    expect(text).toContain('phone-b')
    expect(text).not.toContain('not in the cluster')
  })
})
