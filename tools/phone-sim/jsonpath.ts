/**
 * kubectl's JSONPath templates (kubernetes.io/docs/reference/kubectl/jsonpath/): `{.a.b}`, `[*]`,
 * `[0]`, `[-1:]`, `[?(@.type=="Ready")]`, `{range …}{end}`, string literals `{"\n"}` and `{" "}`.
 * Text outside braces is printed as is. Lists print space-separated, as kubectl does. Anything
 * else throws, so a script that uses a form we don't know fails its test instead of passing.
 */
type Json = unknown

interface Token { kind: 'text' | 'expr' | 'range' | 'end', value: string }

function tokenize(template: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < template.length) {
    const open = template.indexOf('{', i)
    if (open < 0) {
      tokens.push({ kind: 'text', value: template.slice(i) })
      break
    }
    if (open > i)
      tokens.push({ kind: 'text', value: template.slice(i, open) })
    let depth = 0
    let j = open
    let quoted = false
    for (; j < template.length; j++) {
      const ch = template[j]
      if (ch === '"' && template[j - 1] !== '\\')
        quoted = !quoted
      if (quoted)
        continue
      if (ch === '{')
        depth++
      if (ch === '}' && --depth === 0)
        break
    }
    if (j >= template.length)
      throw new Error(`unclosed action in ${template}`)
    const inner = template.slice(open + 1, j).trim()
    if (inner === 'end')
      tokens.push({ kind: 'end', value: '' })
    else if (inner.startsWith('range '))
      tokens.push({ kind: 'range', value: inner.slice(6).trim() })
    else tokens.push({ kind: 'expr', value: inner })
    i = j + 1
  }
  return tokens
}

function unquote(literal: string): string {
  return JSON.parse(literal) as string
}

/** Evaluates one path like `.items[*].metadata.name` against `root`, with `@` the current item. */
export function evaluatePath(path: string, current: Json): Json[] {
  let values: Json[] = [current]
  let rest = path.trim()
  if (rest === '' || rest === '@' || rest === '.')
    return values
  if (rest.startsWith('$'))
    rest = rest.slice(1)
  if (rest.startsWith('@'))
    rest = rest.slice(1)
  while (rest.length > 0) {
    let m = rest.startsWith('..') ? null : /^\.\.?([\w\-/]+)/.exec(rest)
    if (m) {
      const key = m[1]
      values = values.flatMap(v => (v !== null && typeof v === 'object' && key in (v as object) ? [(v as Record<string, Json>)[key]] : []))
      rest = rest.slice(m[0].length)
      continue
    }
    m = /^\[\*\]/.exec(rest)
    if (m) {
      values = values.flatMap(v => (Array.isArray(v) ? v : v !== null && typeof v === 'object' ? Object.values(v as object) : []))
      rest = rest.slice(m[0].length)
      continue
    }
    m = /^\[(-?\d+)\]/.exec(rest)
    if (m) {
      const index = Number(m[1])
      values = values.flatMap((v) => {
        if (!Array.isArray(v))
          return []
        const at = index < 0 ? v.length + index : index
        if (at < 0 || at >= v.length)
          throw new Error(`array index out of bounds: index ${index}, length ${v.length}`)
        return [v[at]]
      })
      rest = rest.slice(m[0].length)
      continue
    }
    m = /^\[(-?\d*):(-?\d*)\]/.exec(rest)
    if (m) {
      const [, from, to] = m
      values = values.flatMap((v) => {
        if (!Array.isArray(v))
          return []
        const start = from === '' ? 0 : Number(from)
        const end = to === '' ? v.length : Number(to)
        return v.slice(start < 0 ? Math.max(0, v.length + start) : start, end < 0 ? v.length + end : end)
      })
      rest = rest.slice(m[0].length)
      continue
    }
    m = /^\['([^']+)'\]/.exec(rest) ?? /^\["([^"]+)"\]/.exec(rest)
    if (m) {
      const key = m[1]
      values = values.flatMap(v => (v !== null && typeof v === 'object' && key in (v as object) ? [(v as Record<string, Json>)[key]] : []))
      rest = rest.slice(m[0].length)
      continue
    }
    m = /^\[\?\(@\.([\w.]+)\s*(==|!=)\s*"([^"]*)"\)\]/.exec(rest)
    if (m) {
      const [, field, op, want] = m
      values = values.flatMap((v) => {
        const items = Array.isArray(v) ? v : []
        return items.filter((item) => {
          const got = evaluatePath(`.${field}`, item)[0]
          return op === '==' ? String(got) === want : String(got) !== want
        })
      })
      rest = rest.slice(m[0].length)
      continue
    }
    throw new Error(`unsupported JSONPath: ${path} (at ${rest})`)
  }
  return values
}

function show(value: Json): string {
  if (value === null || value === undefined)
    return ''
  if (typeof value === 'object')
    return JSON.stringify(value)
  return String(value)
}

function render(tokens: Token[], data: Json, root: Json): string {
  let out = ''
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]
    if (token.kind === 'text') {
      out += token.value
    }
    else if (token.kind === 'expr') {
      if (token.value.startsWith('"')) {
        out += unquote(token.value)
      }
      else {
        const base = token.value.startsWith('@') ? data : root === data ? root : data
        out += evaluatePath(token.value, base).map(show).join(' ')
      }
    }
    else if (token.kind === 'range') {
      let depth = 1
      let j = i + 1
      for (; j < tokens.length; j++) {
        if (tokens[j].kind === 'range')
          depth++
        if (tokens[j].kind === 'end' && --depth === 0)
          break
      }
      if (j >= tokens.length)
        throw new Error('range without end')
      const body = tokens.slice(i + 1, j)
      for (const item of evaluatePath(token.value, data)) out += render(body, item, item)
      i = j
    }
    else {
      throw new Error('end without range')
    }
  }
  return out
}

/** kubectl get -o jsonpath=TEMPLATE */
export function jsonpath(template: string, data: Json): string {
  return render(tokenize(template), data, data)
}
