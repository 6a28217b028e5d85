/**
 * ClusterView's live feed (dev server only): two `kubectl get … --watch` processes, nodes and pods, shared
 * by every subscribed window. Each event goes out slimmed to what ClusterView draws (formats/cluster-events.ts);
 * a window that subscribes later gets the current picture at once. When kubectl can't watch, subscribers
 * hear why (`cluster-status`, live: false), and ClusterView replays its recording instead.
 */
import type { ChildProcess } from 'node:child_process'
import type { ClusterEvent } from '../../formats/cluster-events.ts'
import type { ClusterStatusMessage, ServerMessage } from '../shared/protocol.ts'
import { spawn } from 'node:child_process'
import process from 'node:process'
import { JsonStreamSplitter, slimEvent } from '../../formats/cluster-events.ts'

export type ClusterMessage = Extract<ServerMessage, { t: 'cluster' | 'cluster-status' }>

export interface ClusterSubscriber {
  send: (message: ClusterMessage) => void
}

const RESOURCES = [['nodes'], ['pods', '--all-namespaces']]
const keyOf = (event: ClusterEvent) => `${event.kind}/${event.kind === 'Pod' ? `${event.namespace}/` : ''}${event.name}`

export class ClusterWatch {
  private subscribers = new Set<ClusterSubscriber>()
  private processes: ChildProcess[] = []
  /** The cluster as last seen, for windows that subscribe later */
  private objects = new Map<string, ClusterEvent>()
  private status: ClusterStatusMessage | undefined
  private kubectl: string

  /** `kubectl`: the program to run (default: kubectl from PATH) */
  constructor(kubectl = 'kubectl') {
    this.kubectl = kubectl
  }

  subscribe(subscriber: ClusterSubscriber) {
    this.subscribers.add(subscriber)
    if (!this.processes.length)
      this.start()
    for (const event of this.objects.values()) subscriber.send({ t: 'cluster', event: { ...event, type: 'ADDED' } })
    if (this.status)
      subscriber.send(this.status)
  }

  /** The last subscriber leaving stops the watch. */
  unsubscribe(subscriber: ClusterSubscriber) {
    if (this.subscribers.delete(subscriber) && !this.subscribers.size)
      this.stop()
  }

  private broadcast(message: ClusterMessage) {
    for (const subscriber of this.subscribers) subscriber.send(message)
  }

  private setStatus(live: boolean, message?: string) {
    this.status = { t: 'cluster-status', live, ...(message ? { message } : {}) }
    this.broadcast(this.status)
  }

  private start() {
    this.objects.clear()
    this.status = undefined
    for (const resource of RESOURCES) {
      const child = spawn(this.kubectl, ['get', ...resource, '-o', 'json', '--watch', '--output-watch-events'], {
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      })
      this.processes.push(child)
      const splitter = new JsonStreamSplitter()
      let errors = ''
      child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
        for (const text of splitter.push(chunk)) {
          let event: ClusterEvent | undefined
          try {
            event = slimEvent(JSON.parse(text))
          }
          catch {
            continue
          }
          if (event)
            this.apply(event)
        }
      })
      child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
        errors = (errors + chunk).slice(-2000)
      })
      child.on('error', error => this.setStatus(false, `${this.kubectl}: ${error.message}`))
      child.on('exit', (code) => {
        if (this.processes.includes(child) && code !== null)
          this.setStatus(false, errors.trim().split('\n').at(-1) || `kubectl exited with code ${code}`)
      })
    }
  }

  private apply(event: ClusterEvent) {
    if (event.type === 'DELETED')
      this.objects.delete(keyOf(event))
    else
      this.objects.set(keyOf(event), event)
    if (!this.status?.live)
      this.setStatus(true)
    this.broadcast({ t: 'cluster', event })
  }

  stop() {
    const processes = this.processes
    this.processes = []
    for (const child of processes) {
      if (child.pid && child.exitCode === null) {
        try {
          process.kill(-child.pid, 'SIGTERM')
        }
        catch {
          // gone
        }
      }
    }
  }
}
