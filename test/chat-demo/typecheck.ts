// Strict field check for manifests: kubernetes-models' validate() accepts unknown fields, so a typo
// like `restartpolicy` would pass it. TypeScript's excess-property check on object literals does
// not: each document becomes `const docN: IDeployment = {…}` and is compiled against the same
// package's type definitions. Returns one line per problem ("file kind/name: message").
import ts from 'typescript'
import { resolve } from 'node:path'
import { REPO_ROOT } from './manifests.ts'
import type { ManifestDoc } from './manifests.ts'

const TYPES: Record<string, [module: string, name: string]> = {
  Deployment: ['kubernetes-models/apps/v1/Deployment', 'IDeployment'],
  Service: ['kubernetes-models/v1/Service', 'IService'],
  ConfigMap: ['kubernetes-models/v1/ConfigMap', 'IConfigMap'],
  PersistentVolumeClaim: ['kubernetes-models/v1/PersistentVolumeClaim', 'IPersistentVolumeClaim'],
}

export function strictFieldProblems(docs: ManifestDoc[]): string[] {
  const problems: string[] = []
  const lines: string[] = []
  const owners: string[] = []
  docs.forEach(({ file, object }, i) => {
    const type = TYPES[object.kind]
    if (!type) {
      problems.push(`${file} ${object.kind}/${object.metadata.name}: no type known for kind ${object.kind}`)
      return
    }
    lines.push(`import type { ${type[1]} as T${i} } from '${type[0]}'`)
    lines.push(`export const doc${i}: T${i} = ${JSON.stringify(object, null, 2)}`)
    owners[i] = `${file} ${object.kind}/${object.metadata.name}`
  })

  const fileName = resolve(REPO_ROOT, 'test/chat-demo/__manifests__.ts')
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
  host.fileExists = (name) => name === fileName || fileExists(name)
  const program = ts.createProgram([fileName], options, host)
  const sourceFile = program.getSourceFile(fileName)
  for (const d of ts.getPreEmitDiagnostics(program, sourceFile)) {
    const message = ts.flattenDiagnosticMessageText(d.messageText, '\n')
    let owner = 'manifests'
    if (d.file === sourceFile && d.start !== undefined) {
      // Which document: the last `export const docN` before the error.
      const before = source.slice(0, d.start)
      const match = [...before.matchAll(/export const doc(\d+)/g)].at(-1)
      if (match) owner = owners[Number(match[1])] ?? owner
    }
    problems.push(`${owner}: ${message}`)
  }
  return problems
}
