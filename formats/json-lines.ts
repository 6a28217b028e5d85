/**
 * The recordings' common file shape (asciinema v2 casts, `*.cluster.jsonl`): newline-delimited JSON, a
 * header object on the first line, then one entry per line. Blank lines are skipped; what a header or an
 * entry must hold is the format's own check (cast.ts, cluster-events.ts).
 */

export interface JsonLines {
  header: Record<string, unknown>
  /** Each entry with its line number in the file, for error messages */
  entries: { value: unknown, line: number }[]
}

/** `what` names the format in errors: "empty cast", "cluster recording line 3 is not JSON". */
export function readJsonLines(text: string, what: string): JsonLines {
  const lines = text.split('\n')
    .map((source, index) => ({ source, line: index + 1 }))
    .filter(({ source }) => source.trim())
  if (!lines.length)
    throw new Error(`empty ${what}`)
  const [first, ...rest] = lines.map(({ source, line }) => {
    try {
      return { value: JSON.parse(source) as unknown, line }
    }
    catch {
      throw new Error(`${what} line ${line} is not JSON`)
    }
  })
  if (typeof first.value !== 'object' || first.value === null || Array.isArray(first.value))
    throw new Error(`${what} line ${first.line}: the header is not an object`)
  return { header: first.value as Record<string, unknown>, entries: rest }
}
