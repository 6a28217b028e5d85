// Fair command slots: at most `max` commands run at once; the next ones wait in a bounded queue, in
// order, and everyone sees the queue (event "queue" with the waiting message ids). An audience
// sender holds at most one place, running or waiting, so one person can't take every slot; the
// speaker is not limited and goes before the audience.
export interface Refused { refused: 'sender' | 'full' }

export interface Reservation {
  /** 0: runs at once; n: the n-th in the queue. */
  position: number
  /** Names the message the place is for and resolves with the release function once a slot is free. */
  attach: (id: number) => Promise<() => void>
  /** Gives the place back (the message could not be stored). */
  cancel: () => void
}

export interface CommandQueue {
  reserve: (sender: string, priority: boolean) => Reservation | Refused
  readonly waiting: number[]
  readonly running: number
  readonly max: number
  readonly maxQueued: number
  /** Lets every waiting command through at once (shutdown: they see the abort and stop). */
  flush: () => void
}

interface Entry {
  sender: string
  priority: boolean
  id?: number
  resolve: (release: () => void) => void
  ready: Promise<() => void>
}

export function createCommandQueue(max: number, maxQueued: number, onChange: (waiting: number[]) => void = () => {}): CommandQueue {
  let running = 0
  const queue: Entry[] = []
  const holders = new Map<string, number>()
  const hold = (sender: string, delta: number) => {
    const next = (holders.get(sender) ?? 0) + delta
    if (next > 0)
      holders.set(sender, next)
    else holders.delete(sender)
  }
  const waiting = () => queue.flatMap(e => (e.id === undefined ? [] : [e.id]))
  const releaser = (sender: string) => {
    let released = false
    return () => {
      if (released)
        return
      released = true
      running--
      hold(sender, -1)
      pump()
    }
  }
  function pump() {
    let changed = false
    while (running < max && queue.length > 0) {
      const entry = queue.shift() as Entry
      running++
      entry.resolve(releaser(entry.sender))
      changed = true
    }
    if (changed)
      onChange(waiting())
  }
  const entry = (sender: string, priority: boolean): Entry => {
    let resolve: (release: () => void) => void = () => {}
    const ready = new Promise<() => void>(r => (resolve = r))
    return { sender, priority, resolve, ready }
  }

  return {
    reserve(sender, priority) {
      if (!priority && holders.has(sender))
        return { refused: 'sender' }
      if (running < max && queue.length === 0) {
        running++
        hold(sender, 1)
        const release = releaser(sender)
        return { position: 0, attach: async () => release, cancel: release }
      }
      if (queue.length >= maxQueued)
        return { refused: 'full' }
      const e = entry(sender, priority)
      // The speaker goes before the audience, after earlier speaker commands.
      const at = priority ? queue.findIndex(q => !q.priority) : -1
      if (at >= 0)
        queue.splice(at, 0, e)
      else queue.push(e)
      hold(sender, 1)
      return {
        position: queue.indexOf(e) + 1,
        attach(id) {
          e.id = id
          onChange(waiting())
          return e.ready
        },
        cancel() {
          const index = queue.indexOf(e)
          if (index < 0)
            return
          queue.splice(index, 1)
          hold(sender, -1)
          onChange(waiting())
        },
      }
    },
    get waiting() {
      return waiting()
    },
    get running() {
      return running
    },
    max,
    maxQueued,
    flush() {
      for (const e of queue.splice(0)) e.resolve(() => hold(e.sender, -1))
      onChange([])
    },
  }
}
