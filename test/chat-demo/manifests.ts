// The chat demo's manifests for its tests (read strictly by test/support/manifests.ts), and the pieces
// the tests look at most: the Deployment's containers, the Service, the commands file.
import type { K8sObject } from '../support/manifests.ts'
import { REPO_ROOT } from '../../tools/phone-sim/layout.ts'
import { loadManifests } from '../support/manifests.ts'

export { REPO_ROOT }

/** Every document of chat-demo/manifests, in file order. */
export const chatManifests = () => loadManifests('chat-demo')

export function find(kind: string, name: string): K8sObject {
  const doc = chatManifests().find(d => d.object.kind === kind && d.object.metadata.name === name)
  if (!doc)
    throw new Error(`no ${kind} ${name} in chat-demo/manifests`)
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
    if (e.value !== undefined)
      env[e.name] = e.value
    else if (e.valueFrom?.fieldRef?.fieldPath === 'metadata.name')
      env[e.name] = pod.name
    else if (e.valueFrom?.fieldRef?.fieldPath === 'spec.nodeName')
      env[e.name] = pod.nodeName
    else throw new Error(`env ${e.name}: unexpected source ${JSON.stringify(e.valueFrom)}`)
  }
  return env
}

/** The commands file exactly as the pod sees it (ConfigMap chat-commands, key commands.conf). */
export const commandsConf = (): string => commandsConfigMap().data['commands.conf']
