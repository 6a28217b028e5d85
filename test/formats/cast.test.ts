// asciinema casts (formats/cast.ts): parsing, and the final screen CastPlayer shows before playing and in
// the PDF; and the casts in the repository: how each was made, and what it shows. (Whether a recording
// says it is simulated or a phone's: recording-label.test.ts.)
import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { demoFolders } from '../../demos.ts'
import { finalScreen, finalText, parseCast } from '../../formats/cast.ts'

const repo = resolve(import.meta.dirname, '../..')
const ESC = String.fromCharCode(27)
function cast(width: number, height: number, ...events: [number, string][]) {
  return [JSON.stringify({ version: 2, width, height }), ...events.map(([t, data]) => JSON.stringify([t, 'o', data]))].join('\n')
}

describe('parseCast', () => {
  it('reads the header and the events', () => {
    const parsed = parseCast(cast(20, 5, [0, 'a'], [1.5, 'b']))
    expect(parsed.header).toMatchObject({ version: 2, width: 20, height: 5 })
    expect(parsed.events).toEqual([[0, 'o', 'a'], [1.5, 'o', 'b']])
    expect(parsed.duration).toBe(1.5)
  })

  it('refuses what is not a v2 cast', () => {
    expect(() => parseCast('')).toThrow(/empty/)
    expect(() => parseCast('{"version": 3, "term": {"cols": 80, "rows": 24}}')).toThrow(/v2/)
    expect(() => parseCast('{"version": 2}')).toThrow(/width and height/)
    expect(() => parseCast(`${cast(10, 2)}\n[0, "o"]`)).toThrow('cast line 2 is not [time, code, data]')
    expect(() => parseCast(`${cast(10, 2)}\n\n[0, "o", "a"`)).toThrow('cast line 3 is not JSON')
    expect(() => parseCast(cast(10, 2, [2, 'a'], [1, 'b']))).toThrow(/backwards/)
  })
})

describe('the final screen', () => {
  it('follows carriage returns, erasing and backspaces like a terminal', () => {
    const text = finalText(parseCast(cast(30, 4, [0, 'waiting … 1s'], [1, '\r\x1B[Kwaiting … 2s'], [2, '\r\x1B[K ✓  done\r\n'], [3, 'abX\bc\r\n'], [4, 'tab\there'])))
    expect(text).toEqual([' ✓  done', 'abc', 'tab     here'])
  })

  it('wraps long lines and keeps the last rows when the output scrolls', () => {
    expect(finalText(parseCast(cast(5, 3, [0, '1\r\n2\r\n3\r\n4\r\nabcdefg'])))).toEqual(['4', 'abcde', 'fg'])
  })

  it('keeps the colours of the 16-colour palette, bold and dim', () => {
    const screen = finalScreen(parseCast(cast(30, 2, [0, '\x1B[1m\x1B[34m==> Step\x1B[0m \x1B[32mok\x1B[39m \x1B[2mdim\x1B[22m \x1B[91mred'])))
    expect(screen[0]).toEqual([
      { text: '==> Step', fg: 4, bold: true, dim: undefined },
      { text: ' ', fg: undefined, bold: undefined, dim: undefined },
      { text: 'ok', fg: 2, bold: undefined, dim: undefined },
      { text: ' ', fg: undefined, bold: undefined, dim: undefined },
      { text: 'dim', fg: undefined, bold: undefined, dim: true },
      { text: ' ', fg: undefined, bold: undefined, dim: undefined },
      { text: 'red', fg: 9, bold: undefined, dim: undefined },
    ])
  })

  it('finishes escape sequences split across two events and skips titles and 256 colours', () => {
    const text = finalText(parseCast(cast(20, 2, [0, 'a\x1B['], [0.1, '31mb\x1B]0;title\x07c\x1B[38;5;208md\x1B[?25l'])))
    expect(text).toEqual(['abcd'])
  })

  it('moves the cursor and clears the screen', () => {
    expect(finalText(parseCast(cast(10, 3, [0, 'x\r\nyy\x1B[H\x1B[2Jnew\x1B[2;3Hz'])))).toEqual(['new', '  z'])
    expect(finalText(parseCast(cast(10, 2, [0, 'hello\x1B[3D\x1B[0KXY'])))).toEqual(['heXY'])
  })

  it('applies resize events', () => {
    const parsed = parseCast([JSON.stringify({ version: 2, width: 4, height: 2 }), '[0, "r", "8x2"]', '[0.1, "o", "abcdefgh"]'].join('\n'))
    expect(finalText(parsed)).toEqual(['abcdefgh'])
  })
})

describe('the recordings in the repository', () => {
  const files = demoFolders('recordings').flatMap(dir =>
    readdirSync(join(repo, dir)).filter(name => name.endsWith('.cast')).map(name => `${dir}/${name}`))

  it('exist for the demos', () => {
    expect(files).toContain('echo-demo/recordings/03-deploy-echo.simulated.cast')
    expect(files).toContain('chat-demo/recordings/02-test-chat.simulated.cast')
  })

  it.each(files)('%s is a v2 cast that says how it was made', (file) => {
    const parsed = parseCast(readFileSync(join(repo, file), 'utf8'))
    if (file.includes('.simulated.')) {
      // npm run recordings: how it was made, on which phone
      expect(parsed.header.made).toMatch(/^npm run recordings: .*simulated/)
      expect(parsed.header.title).toMatch(/\(simulated, on phone-[ab]/)
    }
    else {
      // npm run record on a phone: host and date
      expect(parsed.header.host).toMatch(/^[\w.-]+$/)
      expect(Date.parse(parsed.header.date ?? '')).not.toBeNaN()
    }
    expect(parsed.duration).toBeGreaterThan(0)
  })

  it('ends the deploy recording the way 03-deploy-echo.sh ends', () => {
    const text = finalText(parseCast(readFileSync(join(repo, 'echo-demo/recordings/03-deploy-echo.simulated.cast'), 'utf8'))).join('\n')
    expect(text).toContain('deployment "echo" successfully rolled out')
    expect(text).toContain('==> The Service')
    // the last info line of the script, wrapped at the phone's 48 columns
    const script = readFileSync(join(repo, 'echo-demo/scripts/03-deploy-echo.sh'), 'utf8')
    expect(script).toContain('step "The Service"')
    expect(text.replace(/\n/g, '')).toContain('Try it: ./echo-demo/scripts/04-curl.sh')
  })

  it('shows steps that exist in the scripts', () => {
    for (const file of files) {
      const parsed = parseCast(readFileSync(join(repo, file), 'utf8'))
      const output = parsed.events.map(event => event[2]).join('')
      const plain = output.replaceAll(ESC, '⎋')
      expect(plain, `${file} starts with the command it shows`).toMatch(/^⎋\[34m\$⎋\[0m \S/)
      const scriptPath = plain.match(/^⎋\[34m\$⎋\[0m \.\/([\w/.-]+\.sh)/)?.[1]
      if (!scriptPath)
        continue // a plain command (kubectl get nodes)
      const script = readFileSync(join(repo, scriptPath), 'utf8') + readFileSync(join(repo, 'scripts/lib/demo.sh'), 'utf8')
      // Each step line the script can print, its variables ($X, ${X}, $(…)) standing for any text (or none)
      const steps = [...script.matchAll(/step "((?:[^"\\]|\\.)*)"/g)].map(([, text]) => new RegExp(`^${text.split(/\$\([^)]*\)|\$\{[^}]*\}|\$\w+/).map(part => part.replace(/[$()*+.?[\\\]^{|}]/g, '\\$&')).join('.*')}$`))
      for (const [, title] of plain.matchAll(/==> ([^⎋]+)⎋/g))
        expect(steps.some(step => step.test(title)), `${file}: step "${title}" is in ${scriptPath}`).toBe(true)
    }
  })
})
