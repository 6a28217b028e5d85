// The built-in /llm: asks the phone's AI app (github.com/parttimenerd/local-android-ai).
// POST {LLM_URL}/ai/text with {"text": prompt, "model": LLM_MODEL}: the app reads `text` (not `prompt`).
// Every failure becomes a sentence for the chat that says what to check.
import { readBounded, TooLargeError } from './bounded-read.ts'
import { formatSeconds } from './commands/runner.ts'
import { describeFetchError } from './fetch-error.ts'

export interface LlmOutcome {
  status: 'ok' | 'error' | 'timeout'
  output: string
}

export interface LlmClient {
  ask: (prompt: string, signal?: AbortSignal) => Promise<LlmOutcome>
}

export interface LlmOptions {
  url: string
  model: string
  timeoutMs: number
  /** The most of an answer that is read; a longer one is cut off and reported. */
  maxAnswerBytes?: number
}

export const DEFAULT_MAX_ANSWER_BYTES = 1024 * 1024

const WHERE = 'is the AI app running on the node labelled llm=true?'

/** Hints for the AI app's documented error codes. */
const HINTS: Record<string, string> = {
  MODEL_NOT_AVAILABLE: 'download the model in the AI app on that phone, or set LLM_MODEL to one it has',
  STORAGE_PERMISSION_DENIED: 'grant the AI app its storage permission on that phone',
  AI_SERVICE_ERROR: 'the AI app could not run the request',
  AI_ERROR: 'the model failed; try again or restart the AI app',
}

export function createLlmClient(options: LlmOptions): LlmClient {
  const endpoint = `${options.url}/ai/text`
  return {
    async ask(prompt, signal) {
      const timeout = AbortSignal.timeout(options.timeoutMs)
      let response: Response
      try {
        response = await fetch(endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ text: prompt, model: options.model }),
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        })
      }
      catch (error) {
        if (timeout.aborted)
          return timedOut(options)
        if (signal?.aborted)
          return { status: 'error', output: 'Stopped: the server is shutting down.' }
        return { status: 'error', output: `LLM not reachable at ${options.url} (${describeFetchError(error)}) — ${WHERE}` }
      }
      let body: string
      const maxBytes = options.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES
      try {
        body = await readBounded(response, maxBytes)
      }
      catch (error) {
        if (error instanceof TooLargeError) {
          return { status: 'error', output: `The AI app at ${options.url} sent an answer larger than ${maxBytes} bytes; the chat stopped reading it.` }
        }
        if (timeout.aborted)
          return timedOut(options)
        return { status: 'error', output: `LLM at ${options.url} broke off its answer (${describeFetchError(error)}).` }
      }
      let answer: { response?: unknown, error?: unknown, code?: unknown, details?: unknown } | undefined
      try {
        answer = JSON.parse(body)
      }
      catch {
        answer = undefined
      }
      if (response.ok && typeof answer?.response === 'string')
        return { status: 'ok', output: answer.response }
      if (answer && (answer.error !== undefined || answer.code !== undefined)) {
        const code = typeof answer.code === 'string' ? answer.code : undefined
        const parts = [`The AI app at ${options.url} answered HTTP ${response.status}${code ? ` ${code}` : ''}: ${String(answer.error ?? 'error')}`]
        if (answer.details !== undefined && answer.details !== null && answer.details !== '') {
          parts.push(`(${typeof answer.details === 'string' ? answer.details : JSON.stringify(answer.details)})`)
        }
        const hint = code ? HINTS[code] : undefined
        if (code === 'MODEL_NOT_AVAILABLE')
          parts.push(`— model ${options.model}: ${hint}.`)
        else if (hint)
          parts.push(`— ${hint}.`)
        return { status: 'error', output: parts.join(' ') }
      }
      if (response.status === 404) {
        return { status: 'error', output: `${endpoint} answered 404: something else listens there — ${WHERE}` }
      }
      return {
        status: 'error',
        output: `Unexpected answer from ${endpoint} (HTTP ${response.status}): ${body.slice(0, 300) || '(empty)'}`,
      }
    },
  }
}

function timedOut(options: LlmOptions): LlmOutcome {
  return {
    status: 'timeout',
    output: `LLM at ${options.url} did not answer within ${formatSeconds(options.timeoutMs)} — a cold model can take minutes; try again, or raise COMMAND_TIMEOUT_MS.`,
  }
}
