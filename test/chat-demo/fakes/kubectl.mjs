// A fake kubectl for the chat-demo script tests: a tiny cluster kept in $STUB_SANDBOX/cluster.json,
// answering the calls the scripts make the way kubectl documents them. It applies the real
// manifests (paths must exist, as for kubectl), schedules the chat pod by its nodeSelector like
// the scheduler, and records FailedScheduling events. Anything it doesn't know fails with exit 64,
// so a script that starts calling something new fails its test instead of passing by accident.
//
// cluster.json: {
//   reachable: true, nodes: [{ name, ip, labels: {} }],
//   objects: ["Deployment/chat", …]   what has been applied (kind/name)
//   eventDelay: 0                     FailedScheduling polls that find nothing before the event exists
//   rolloutFails: false, pvcNode: null (node of a bound chat-data volume),
//   podNode: null (where the chat pod runs once placed), polls: 0 }
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parseAllDocuments } from 'yaml'

const STATE = join(process.env.STUB_SANDBOX, 'cluster.json')
const state = JSON.parse(readFileSync(STATE, 'utf8'))
const save = () => writeFileSync(STATE, JSON.stringify(state, null, 2))
const args = process.argv.slice(2)
const line = args.join(' ')
const out = (text) => process.stdout.write(text === '' ? '' : `${text}\n`)
const fail = (message, code = 1) => {
  process.stderr.write(`${message}\n`)
  process.exit(code)
}

const POD = 'chat-7c9d8b6f5d-q4x2z'
const SELECTOR = 'app.kubernetes.io/name=chat'

if (!state.reachable) fail('The connection to the server 127.0.0.1:6443 was refused - did you specify the right host or port?')

/** Documents of every -f path, as kubectl reads them: a file, or the .yaml/.yml/.json files of a folder. */
function manifests() {
  const docs = []
  args.forEach((a, i) => {
    if (a !== '-f') return
    const path = resolve(process.cwd(), args[i + 1])
    if (!existsSync(path)) fail(`error: the path "${args[i + 1]}" does not exist`)
    const files = statSync(path).isDirectory()
      ? readdirSync(path).filter((f) => /\.(ya?ml|json)$/.test(f)).sort().map((f) => join(path, f))
      : [path]
    for (const file of files) {
      for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
        const o = doc.toJS()
        if (o) docs.push(o)
      }
    }
  })
  return docs
}

const applied = (key) => state.objects.includes(key)
const labelled = () => state.nodes.filter((n) => n.labels.llm === 'true')
const node = (name) => state.nodes.find((n) => n.name === name)

/**
 * The chat pod as the scheduler would have it: none, Pending, or Running on a labelled node. Once
 * placed it stays on its node (state.podNode), whatever happens to the labels afterwards.
 */
function pod() {
  if (!applied('Deployment/chat')) return undefined
  if (state.podNode) return { phase: 'Running', node: state.podNode }
  const candidates = labelled().filter((n) => !state.pvcNode || n.name === state.pvcNode)
  if (candidates.length === 0 || state.rolloutFails) return { phase: 'Pending', node: '' }
  state.podNode = candidates[0].name
  save()
  return { phase: 'Running', node: state.podNode }
}

function schedulingMessage() {
  const n = state.nodes.length
  if (state.pvcNode && labelled().length > 0) {
    return `0/${n} nodes are available: 1 node(s) had volume node affinity conflict, ${n - 1} node(s) didn't match Pod's node affinity/selector.`
  }
  return `0/${n} nodes are available: ${n} node(s) didn't match Pod's node affinity/selector. preemption: 0/${n} nodes are available: ${n} Preemption is not helpful for scheduling.`
}

function pods(phase) {
  const p = pod()
  return p && (!phase || p.phase === phase) ? [p] : []
}

function podTable() {
  const rows = pods().map((p) => `${POD}   ${p.phase === 'Running' ? '2/2' : '0/2'}     ${p.phase}   0          5s    ${p.node ? '100.64.0.2' : '<none>'}   ${p.node || '<none>'}`)
  return rows.length ? ['NAME                    READY   STATUS    RESTARTS   AGE   IP           NODE', ...rows].join('\n') : ''
}

const has = (...words) => words.every((w) => args.includes(w))
const jsonpath = () => args.find((a) => a.startsWith('jsonpath='))?.slice('jsonpath='.length)
const fieldSelector = () => {
  const joined = args.find((a) => a.startsWith('--field-selector='))
  if (joined) return joined.slice('--field-selector='.length)
  const i = args.indexOf('--field-selector')
  return i >= 0 ? args[i + 1] : undefined
}

switch (true) {
  case line === 'get --raw=/readyz --request-timeout=5s':
    out('ok')
    break

  // --- nodes ---
  case args[0] === 'get' && args[1] === 'nodes': {
    const chosen = has('-l', 'llm=true') ? labelled() : state.nodes
    if (has('-L', 'llm')) {
      out(['NAME      STATUS   ROLES                  AGE   VERSION        LLM', ...chosen.map((n) => `${n.name}   Ready    <none>   1d    v1.34.3+k3s3   ${n.labels.llm ?? ''}`)].join('\n'))
    } else if (jsonpath() === '{.items[*].metadata.name}') {
      out(chosen.map((n) => n.name).join(' '))
    } else fail(`fake kubectl: unsupported: ${line}`, 64)
    break
  }
  case args[0] === 'get' && args[1] === 'node': {
    const n = node(args[2])
    if (!n) fail(`Error from server (NotFound): nodes "${args[2]}" not found`)
    if (args.length === 3) out(`NAME      STATUS   ROLES   AGE   VERSION\n${n.name}   Ready    <none>  1d    v1.34.3+k3s3`)
    else if (jsonpath() === '{.status.addresses[?(@.type=="InternalIP")].address}') out(n.ip)
    else fail(`fake kubectl: unsupported: ${line}`, 64)
    break
  }
  case args[0] === 'label' && args[1] === 'node': {
    const n = node(args[2])
    if (!n) fail(`Error from server (NotFound): nodes "${args[2]}" not found`)
    for (const change of args.slice(3).filter((a) => !a.startsWith('--'))) {
      if (change.endsWith('-')) {
        const key = change.slice(0, -1)
        if (!(key in n.labels)) process.stderr.write(`label "${key}" not found.\n`)
        delete n.labels[key]
        out(`node/${n.name} unlabeled`)
      } else {
        const [key, value] = change.split('=')
        if (key in n.labels && n.labels[key] !== value && !has('--overwrite')) fail(`error: '${key}' already has a value (${n.labels[key]}), and --overwrite is false`)
        n.labels[key] = value
        out(`node/${n.name} labeled`)
      }
    }
    save()
    break
  }

  // --- apply / delete ---
  case args[0] === 'apply': {
    for (const o of manifests()) {
      const key = `${o.kind}/${o.metadata.name}`
      out(`${o.kind.toLowerCase()}/${o.metadata.name} ${applied(key) ? 'unchanged' : 'created'}`)
      if (!applied(key)) state.objects.push(key)
      if (key === 'Service/chat') state.servicePort = o.spec.ports[0].port
    }
    save()
    break
  }
  case args[0] === 'delete' && args.includes('-f'): {
    for (const o of manifests()) {
      const key = `${o.kind}/${o.metadata.name}`
      if (applied(key)) {
        out(`${o.kind.toLowerCase()} "${o.metadata.name}" deleted`)
        state.objects = state.objects.filter((k) => k !== key)
        if (key === 'Deployment/chat') state.podNode = null
        if (key === 'PersistentVolumeClaim/chat-data') state.pvcNode = null
      } else if (!has('--ignore-not-found')) fail(`Error from server (NotFound): ${o.kind.toLowerCase()}s "${o.metadata.name}" not found`)
    }
    save()
    break
  }
  case line === 'rollout status deployment/chat --timeout=300s': {
    if (!applied('Deployment/chat')) fail('Error from server (NotFound): deployments.apps "chat" not found')
    if (pod().phase !== 'Running') {
      out('Waiting for deployment "chat" rollout to finish: 0 of 1 updated replicas are available...')
      fail('error: timed out waiting for the condition')
    }
    out('deployment "chat" successfully rolled out')
    break
  }

  // --- pods, deployment, events ---
  case args[0] === 'get' && args[1] === 'deployment,pods' && has('-l', SELECTOR): {
    if (!applied('Deployment/chat')) break
    const ready = pod().phase === 'Running' ? '1/1' : '0/1'
    out(`NAME                   READY   UP-TO-DATE   AVAILABLE   AGE\ndeployment.apps/chat   ${ready}     1            ${ready[0]}           1s\n`)
    out(podTable())
    break
  }
  case args[0] === 'get' && args[1] === 'pods' && has('-l', SELECTOR): {
    const phase = fieldSelector()?.replace('status.phase=', '')
    const found = pods(phase)
    if (has('-o', 'name')) out(found.map(() => `pod/${POD}`).join('\n'))
    else if (jsonpath() === '{.items[*].metadata.name}') out(found.map(() => POD).join(' '))
    else if (jsonpath() === '{.items[*].spec.nodeName}') out(found.map((p) => p.node).join(' '))
    else if (jsonpath() === '{.items[0].spec.nodeName}') {
      if (found.length === 0) fail('error: error executing jsonpath "{.items[0].spec.nodeName}": array index out of bounds: index 0, length 0')
      out(found[0].node)
    } else if (has('-o', 'wide') || args.length === 4) {
      const table = podTable()
      if (table) out(table)
      else process.stderr.write('No resources found in default namespace.\n')
    } else fail(`fake kubectl: unsupported: ${line}`, 64)
    break
  }
  case args[0] === 'get' && args[1] === 'events': {
    const selector = fieldSelector() ?? ''
    if (selector === `involvedObject.name=${POD},reason=FailedScheduling` && jsonpath() === '{.items[-1:].message}') {
      state.polls = (state.polls ?? 0) + 1
      save()
      if (pod()?.phase === 'Pending' && state.polls > (state.eventDelay ?? 0)) out(schedulingMessage())
      else out('')
    } else if (selector === 'type=Warning') {
      if (pod()?.phase === 'Pending') out(`LAST SEEN   TYPE      REASON             OBJECT                      MESSAGE\n5s          Warning   FailedScheduling   pod/${POD}   ${schedulingMessage()}`)
    } else fail(`fake kubectl: unsupported: ${line}`, 64)
    break
  }

  // --- service, volume ---
  case line === 'get service chat -o jsonpath={.spec.clusterIP}':
    if (!applied('Service/chat')) fail('Error from server (NotFound): services "chat" not found')
    out('10.43.7.80')
    break
  case line === 'get service chat -o jsonpath={.spec.ports[0].port}':
    if (!applied('Service/chat')) fail('Error from server (NotFound): services "chat" not found')
    out(String(state.servicePort))
    break
  case line === 'get pvc chat-data -o jsonpath={.spec.volumeName}':
    if (!applied('PersistentVolumeClaim/chat-data')) fail('Error from server (NotFound): persistentvolumeclaims "chat-data" not found')
    out(state.pvcNode ? 'pvc-3f1e2d4c' : '')
    break
  case line === 'get pv pvc-3f1e2d4c -o jsonpath={.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values[0]}':
    out(state.pvcNode)
    break

  default:
    fail(`fake kubectl: unsupported: ${line}`, 64)
}
