// The live demos' wire protocol (live-demo/shared/protocol.ts): what the server makes of a frame a page sends.
// Every message the client sends comes through as it was; anything else is refused with a reason.
import type { ClientMessage } from '../../live-demo/shared/protocol.ts'
import { describe, expect, it } from 'vitest'
import { MAX_ARGS, MAX_FRAME_BYTES, MAX_INPUT_CHARS, parseArgs, parseClientMessage, ProtocolError } from '../../live-demo/shared/protocol.ts'

const parse = (message: unknown) => parseClientMessage(JSON.stringify(message))

/** The ProtocolError a frame gets */
function refusal(frame: string): ProtocolError {
  try {
    parseClientMessage(frame)
  }
  catch (error) {
    if (error instanceof ProtocolError)
      return error
    throw error
  }
  throw new Error(`accepted: ${frame.slice(0, 80)}`)
}
const refused = (message: unknown) => refusal(JSON.stringify(message))

describe('the messages a page sends', () => {
  const valid: ClientMessage[] = [
    { t: 'start', id: 'slide-3:echo-demo/scripts/03-deploy-echo.sh', script: 'echo-demo/scripts/03-deploy-echo.sh', args: ['4'], cols: 80, rows: 24 },
    { t: 'start', id: 'slide-3:phone-a:x.sh', script: 'x.sh', on: 'phone-a', cols: 120, rows: 30 },
    { t: 'start', id: 'slide-3:x.sh#shell', shell: true, cols: 80, rows: 24 },
    { t: 'start', id: 'slide-3:phone-a:x.sh#shell', shell: true, on: 'phone-a', cols: 80, rows: 24 },
    { t: 'attach', id: 's1' },
    { t: 'detach', id: 's1' },
    { t: 'close', id: 's1' },
    { t: 'input', id: 's1', data: 'ls -l\r' },
    { t: 'resize', id: 's1', cols: 100, rows: 40 },
    { t: 'cluster', on: true },
    { t: 'cluster', on: false },
    { t: 'check' },
  ]

  it.each(valid.map(message => [JSON.stringify(message).slice(0, 60), message]))('%s', (_name, message) => {
    expect(parse(message)).toEqual(message)
  })

  it('clamps a terminal size into range instead of refusing it', () => {
    expect(parse({ t: 'resize', id: 's1', cols: 5, rows: 1e6 })).toEqual({ t: 'resize', id: 's1', cols: 20, rows: 200 })
    expect(parse({ t: 'start', id: 's1', shell: true, cols: 80.6, rows: 2 })).toMatchObject({ cols: 81, rows: 5 })
  })
})

describe('what is refused, and the reason given', () => {
  it('anything that is not a JSON object of a known type', () => {
    expect(refusal('{"t":').message).toBe('not JSON')
    expect(refusal('[1,2]').message).toMatch(/JSON object/)
    expect(refusal('null').message).toMatch(/JSON object/)
    expect(refused({ t: 'exec', command: 'id' }).message).toBe('unknown message type "exec"')
    expect(refused({ id: 's1' }).message).toMatch(/unknown message type/)
  })

  it('a message without a well-formed id', () => {
    expect(refused({ t: 'attach' }).message).toMatch(/attach needs an id/)
    for (const id of ['', 'has space', 'x'.repeat(201), 42, 'a\nb'])
      expect(refused({ t: 'close', id }).message, String(id)).toMatch(/needs an id/)
  })

  it('fields a message type does not have, by name', () => {
    const error = refused({ t: 'start', id: 'cmd', command: 'id', cols: 80, rows: 24 })
    expect(error.message).toBe('start has no field "command"')
    expect(error.id).toBe('cmd') // so that the terminal that asked shows the error
    expect(refused({ t: 'check', phone: 'phone-a' }).message).toBe('check has no field "phone"')
  })

  it('a start that is neither one script nor the shell', () => {
    expect(refused({ t: 'start', id: 's', cols: 80, rows: 24 }).message).toMatch(/script name missing or malformed/)
    expect(refused({ t: 'start', id: 's', script: 42, cols: 80, rows: 24 }).message).toMatch(/script name missing or malformed/)
    expect(refused({ t: 'start', id: 's', script: 'x'.repeat(301), cols: 80, rows: 24 }).message).toMatch(/script name missing or malformed/)
    expect(refused({ t: 'start', id: 's', shell: true, script: 'x.sh', cols: 80, rows: 24 }).message).toMatch(/neither script nor args/)
    expect(refused({ t: 'start', id: 's', shell: 'yes', cols: 80, rows: 24 }).message).toMatch(/shell: true/)
    expect(refused({ t: 'start', id: 's', shell: true, on: 7, cols: 80, rows: 24 }).message).toMatch(/name of a phone/)
    expect(refused({ t: 'start', id: 's', shell: true, cols: '80', rows: 24 }).message).toBe('cols must be a number')
  })

  it('arguments that are not a short list of short strings', () => {
    expect(parseArgs(undefined)).toEqual([])
    expect(parseArgs(['3', '--dry-run'])).toEqual(['3', '--dry-run'])
    for (const args of ['a; id', [3], Array.from({ length: MAX_ARGS + 1 }).fill('a'), ['a\0'], ['x'.repeat(201)]]) {
      expect(refused({ t: 'start', id: 's', script: 'x.sh', args, cols: 80, rows: 24 }).message, JSON.stringify(args).slice(0, 40))
        .toMatch(/args must be a list of at most 16 short strings/)
    }
  })

  it('input that is not text, or more than a paste', () => {
    expect(refused({ t: 'input', id: 's', data: 42 }).message).toMatch(/input data must be a string/)
    expect(refused({ t: 'input', id: 's', data: 'x'.repeat(MAX_INPUT_CHARS + 1) }).message).toMatch(/at most/)
    expect(refusal('x'.repeat(MAX_FRAME_BYTES + 1)).message).toMatch(/frame larger than/)
  })

  it('a cluster subscription that is not on or off', () => {
    expect(refused({ t: 'cluster', on: 'yes' }).message).toMatch(/on: true or false/)
    expect(refused({ t: 'cluster' }).message).toMatch(/on: true or false/)
  })
})
