// The strict half of the manifest check (test/support/manifests.ts): kubernetes-models' validate()
// accepts unknown fields, so a typo like `restartpolicy` would pass it. TypeScript's excess-property
// check on object literals does not: each document becomes `const docN: IDeployment = {…}` and is
// compiled against the same package's type definitions. Returns one line per problem ("file kind/name: message").
import { resolve } from 'node:path'
import ts from 'typescript'
import { REPO_ROOT } from '../../tools/phone-sim/layout.ts'

/** A document to check, with the kubernetes-models type it must be: e.g. ['kubernetes-models/v1/Service', 'IService']. */
export interface TypedDocument {
  owner: string
  object: unknown
  type: [module: string, name: string]
}

export function strictFieldProblems(docs: TypedDocument[]): string[] {
  const problems: string[] = []
  const lines: string[] = []
  const owners: string[] = []
  docs.forEach(({ owner, object, type }, i) => {
    lines.push(`import type { ${type[1]} as T${i} } from '${type[0]}'`)
    lines.push(`export const doc${i}: T${i} = ${JSON.stringify(object, null, 2)}`)
    owners[i] = owner
  })

  const fileName = resolve(REPO_ROOT, 'test/support/__manifests__.ts')
  const source = lines.join('\n')
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    types: [],
  }
  const host = ts.createCompilerHost(options)
  const getSourceFile = host.getSourceFile.bind(host)
  host.getSourceFile = (name, language, ...rest) =>
    name === fileName ? ts.createSourceFile(name, source, language) : getSourceFile(name, language, ...rest)
  const fileExists = host.fileExists.bind(host)
  host.fileExists = name => name === fileName || fileExists(name)
  const program = ts.createProgram([fileName], options, host)
  const sourceFile = program.getSourceFile(fileName)
  for (const d of ts.getPreEmitDiagnostics(program, sourceFile)) {
    const message = ts.flattenDiagnosticMessageText(d.messageText, '\n')
    let owner = 'manifests'
    if (d.file === sourceFile && d.start !== undefined) {
      // Which document: the last `export const docN` before the error.
      const before = source.slice(0, d.start)
      const match = [...before.matchAll(/export const doc(\d+)/g)].at(-1)
      if (match)
        owner = owners[Number(match[1])] ?? owner
    }
    problems.push(`${owner}: ${message}`)
  }
  return problems
}
