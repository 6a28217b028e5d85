// Reads chat-demo/manifests/*.yaml for the chat-demo tests: every document, typed loosely, plus
// the pieces the tests look at most (the Deployment's containers, the Service, the commands file).
import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parseAllDocuments } from 'yaml'
import { REPO_ROOT } from '../../tools/phone-sim/layout.ts'

export { REPO_ROOT }
export const MANIFEST_DIR = resolve(REPO_ROOT, 'chat-demo/manifests')

/* eslint-disable @typescript-eslint/no-explicit-any -- manifests are checked against the schemas in the tests */
export type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string> }; [key: string]: any }

export interface ManifestDoc {
  file: string
  object: K8sObject
}

/** Every YAML document of every file in chat-demo/manifests, in file order. */
export function loadManifests(): ManifestDoc[] {
  const docs: ManifestDoc[] = []
  for (const file of readdirSync(MANIFEST_DIR).filter((f) => /\.ya?ml$/.test(f)).sort()) {
    for (const doc of parseAllDocuments(readFileSync(join(MANIFEST_DIR, file), 'utf8'))) {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]?.message}`)
      const object = doc.toJS() as K8sObject | null
      if (object) docs.push({ file, object })
    }
  }
  return docs
}

export function find(kind: string, name: string): K8sObject {
  const doc = loadManifests().find((d) => d.object.kind === kind && d.object.metadata.name === name)
  if (!doc) throw new Error(`no ${kind} ${name} in chat-demo/manifests`)
  return doc.object
}

export const deployment = () => find('Deployment', 'chat')
export const podSpec = () => deployment().spec.template.spec
export const chatContainer = () => podSpec().containers.find((c: any) => c.name === 'chat')
export const rqliteContainer = () => podSpec().initContainers.find((c: any) => c.name === 'rqlite')
export const service = () => find('Service', 'chat')
export const commandsConfigMap = () => find('ConfigMap', 'chat-commands')

/** The chat container's environment: plain values, and downward-API fields filled in as a pod would. */
export function chatEnv(pod = { name: 'chat-5d9c7b6f4-x2x7k', nodeName: 'phone-b' }): Record<string, string> {
  const env: Record<string, string> = {}
  for (const e of chatContainer().env as any[]) {
    if (e.value !== undefined) env[e.name] = e.value
    else if (e.valueFrom?.fieldRef?.fieldPath === 'metadata.name') env[e.name] = pod.name
    else if (e.valueFrom?.fieldRef?.fieldPath === 'spec.nodeName') env[e.name] = pod.nodeName
    else throw new Error(`env ${e.name}: unexpected source ${JSON.stringify(e.valueFrom)}`)
  }
  return env
}

/** The commands file exactly as the pod sees it (ConfigMap chat-commands, key commands.conf). */
export const commandsConf = (): string => commandsConfigMap().data['commands.conf']
