// A stand-in for the phone's AI app (github.com/parttimenerd/local-android-ai), as documented in
// ../shared/notes/field-facts.md: POST /ai/text reads `text` (and `model`), answers
// {response, model, metadata}; errors are {error, code, details}. A real HTTP server on port 0.
import type { AddressInfo } from 'node:net'
import { Buffer } from 'node:buffer'
import { createServer } from 'node:http'

export interface AiCall {
  text: unknown
  model: unknown
  /** The request body exactly as it arrived. */
  raw: Buffer
}

/**
 * ok: answers; missing-model: 404 MODEL_NOT_AVAILABLE; hang: never answers; not-json: a plain-text 500;
 * huge: a valid answer of 32 MB, written as fast as the client reads (it stops when the client hangs up).
 */
export type AiMode = 'ok' | 'missing-model' | 'hang' | 'not-json' | 'huge'

export interface AiStub {
  url: string
  calls: AiCall[]
  mode: AiMode
  /** Bytes of the last huge answer the client took before it hung up (or all 32 MB). */
  hugeBytesSent: number
  close: () => Promise<void>
}

export async function startAiStub(): Promise<AiStub> {
  const calls: AiCall[] = []
  const stub = { mode: 'ok' as AiMode, hugeBytesSent: 0 }
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const raw = Buffer.concat(chunks)
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'access-control-allow-origin': '*' })
      res.end(JSON.stringify(body))
    }
    if (req.method === 'GET' && req.url === '/health')
      return send(200, { status: 'healthy' })
    if (req.method !== 'POST' || req.url !== '/ai/text')
      return send(404, { error: 'Endpoint not found', code: 'NOT_FOUND', details: req.url })
    let body: { text?: unknown, model?: unknown }
    try {
      body = JSON.parse(raw.toString('utf8'))
    }
    catch (error) {
      return send(400, { error: 'Invalid JSON', code: 'AI_SERVICE_ERROR', details: (error as Error).message })
    }
    calls.push({ text: body.text, model: body.model, raw })
    if (typeof body.text !== 'string' || body.text === '') {
      return send(400, { error: 'Missing required field: text', code: 'AI_SERVICE_ERROR', details: 'text is required' })
    }
    switch (stub.mode) {
      case 'hang':
        return // the client's timeout has to end this
      case 'not-json':
        res.writeHead(500, { 'content-type': 'text/plain' })
        return res.end('Internal Server Error')
      case 'huge': {
        res.writeHead(200, { 'content-type': 'application/json' })
        stub.hugeBytesSent = 0
        const chunk = Buffer.alloc(64 * 1024, 'a')
        res.write('{"response": "')
        let closed = false
        res.on('close', () => (closed = true))
        // eslint-disable-next-line no-unmodified-loop-condition -- the 'close' listener sets it while the loop awaits a drain
        for (let i = 0; i < 512 && !closed; i++) {
          stub.hugeBytesSent += chunk.length
          if (!res.write(chunk)) {
            await new Promise((resolve) => {
              res.once('drain', resolve)
              res.once('close', resolve)
            })
          }
        }
        return res.end('"}')
      }
      case 'missing-model':
        return send(404, { error: 'Model not available', code: 'MODEL_NOT_AVAILABLE', details: `${String(body.model)} is not downloaded` })
      default:
        return send(200, {
          response: `You said: ${body.text}`,
          model: typeof body.model === 'string' ? body.model : 'GEMMA_3_1B_IT',
          metadata: { inferenceTime: 12, tokenCount: 3 },
        })
    }
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return Object.assign(stub, {
    url: `http://127.0.0.1:${port}`,
    calls,
    async close() {
      server.closeAllConnections()
      await new Promise<void>(resolve => server.close(() => resolve()))
    },
  })
}
