// The demos' Kubernetes manifests as every test reads them: each YAML document of DEMO/manifests,
// checked before any test looks at it against the Kubernetes schemas (kubernetes-models' validate())
// and strictly: no unknown or misspelt field (manifest-fields.ts), no kind the demos don't use.
import type { Demo } from '../../demos.ts'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Deployment } from 'kubernetes-models/apps/v1'
import { ConfigMap, PersistentVolumeClaim, Service } from 'kubernetes-models/v1'
import { parseAllDocuments } from 'yaml'
import { REPO_ROOT } from '../../tools/phone-sim/layout.ts'
import { strictFieldProblems } from './manifest-fields.ts'

export interface K8sObject { apiVersion: string, kind: string, metadata: { name: string, namespace?: string, labels?: Record<string, string> }, [key: string]: any }

export interface ManifestDoc {
  /** The file's name in DEMO/manifests, e.g. chat.yaml */
  file: string
  object: K8sObject
}

/** Every kind the demos use: its schema (kubernetes-models' class) and its type (for the strict field check). */
const KINDS: Record<string, { model: new (data: any) => { validate: () => void }, type: [module: string, name: string] }> = {
  Deployment: { model: Deployment, type: ['kubernetes-models/apps/v1/Deployment', 'IDeployment'] },
  Service: { model: Service, type: ['kubernetes-models/v1/Service', 'IService'] },
  ConfigMap: { model: ConfigMap, type: ['kubernetes-models/v1/ConfigMap', 'IConfigMap'] },
  PersistentVolumeClaim: { model: PersistentVolumeClaim, type: ['kubernetes-models/v1/PersistentVolumeClaim', 'IPersistentVolumeClaim'] },
}

const nameOf = ({ file, object }: ManifestDoc) => `${file} ${object.kind}/${object.metadata?.name}`

/** The documents of one manifest file, in order (empty documents left out); a YAML error throws. */
export function parseManifest(file: string, text: string): ManifestDoc[] {
  return parseAllDocuments(text).flatMap((doc) => {
    if (doc.errors.length > 0)
      throw new Error(`${file}: ${doc.errors.map(e => e.message).join('\n')}`)
    const object = doc.toJS() as K8sObject | null
    return object ? [{ file, object }] : []
  })
}

/** What is wrong with the documents, one line each ("file kind/name: …"): empty when every one is valid and strict. */
export function manifestProblems(docs: ManifestDoc[]): string[] {
  const problems: string[] = []
  for (const doc of docs) {
    const kind = KINDS[doc.object.kind]
    if (!kind) {
      problems.push(`${nameOf(doc)}: a kind the demos don't use (known: ${Object.keys(KINDS).join(', ')})`)
      continue
    }
    const { model: Model } = kind
    try {
      new Model(doc.object).validate()
    }
    catch (error) {
      problems.push(`${nameOf(doc)}: ${(error as Error).message}`)
    }
  }
  const typed = docs.filter(doc => KINDS[doc.object.kind]).map(doc => ({ owner: nameOf(doc), object: doc.object, type: KINDS[doc.object.kind]!.type }))
  return [...problems, ...strictFieldProblems(typed)]
}

const loaded = new Map<string, ManifestDoc[]>()

/**
 * Every document of every file in DEMO/manifests, in file order; throws, naming each problem, unless all
 * are valid and strict. `root` is the repository's (another one for the loader's own test).
 */
export function loadManifests(demo: Demo, root = REPO_ROOT): ManifestDoc[] {
  const dir = join(root, demo, 'manifests')
  if (!loaded.has(dir)) {
    const files = readdirSync(dir).filter(file => /\.ya?ml$/.test(file)).sort()
    const docs = files.flatMap(file => parseManifest(file, readFileSync(join(dir, file), 'utf8')))
    const problems = manifestProblems(docs)
    if (problems.length > 0)
      throw new Error(`${demo}/manifests:\n${problems.join('\n')}`)
    loaded.set(dir, docs)
  }
  // A copy each time: a test may change what it got (to show that a check catches a mistake).
  return structuredClone(loaded.get(dir)!)
}
