import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { PDFDocument } from 'pdf-lib'
import { describe, expect, it } from 'vitest'
import { deckSlides, repoRoot } from '../../tools/deck.ts'

describe('npm run export', () => {
  it('writes a PDF with one page per slide, in the system Chromium', async () => {
    const pdf = join(mkdtempSync(join(tmpdir(), 'export-')), 'talk.pdf')
    const { stdout } = await promisify(execFile)('node', [join(repoRoot, 'scripts/export.ts'), '--output', pdf], {
      cwd: repoRoot,
      maxBuffer: 64 * 1024 * 1024,
    })
    expect(stdout).toContain('--executable-path /usr/bin/chromium')
    const document = await PDFDocument.load(readFileSync(pdf))
    expect(document.getPageCount()).toBe((await deckSlides()).length)
  })
})
