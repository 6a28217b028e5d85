// Reads an HTTP answer's body, but never more than maxBytes of it: past that the body is cancelled
// (the connection closes) and TooLargeError is thrown. For every answer from another program.
import { Buffer } from 'node:buffer'

export class TooLargeError extends Error {
  readonly maxBytes: number
  constructor(maxBytes: number) {
    super(`answer larger than ${maxBytes} bytes`)
    this.name = 'TooLargeError'
    this.maxBytes = maxBytes
  }
}

export async function readBounded(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length'))
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => {})
    throw new TooLargeError(maxBytes)
  }
  if (!response.body)
    return ''
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done)
      break
    size += value.byteLength
    if (size > maxBytes) {
      await reader.cancel().catch(() => {})
      throw new TooLargeError(maxBytes)
    }
    chunks.push(value)
  }
  return Buffer.concat(chunks).toString('utf8')
}
