/**
 * Checks of received documents off the event loop: a small pool of worker threads, each running
 * one task at a time with a hard deadline. A task that passes its deadline has its worker
 * terminated (whatever it is doing: the only way to stop synchronous work) and is answered with
 * the pool's timeout code; the next task gets a fresh worker. Tasks beyond the workers wait in a
 * bounded queue; beyond that they are answered with the pool's busy code at once. So however
 * hostile a document, the node's event loop only posts it and reads the answer.
 *
 * The worker side is {@link serveTasks}: the worker script passes it the task function. Errors
 * cross the thread as their kind, code, message and details ({@link LifelongError}).
 */
import { parentPort, Worker, type ResourceLimits, type Transferable } from 'node:worker_threads'
import { LifelongError, type ErrorCode, type ErrorKind } from '../errors.ts'

export interface WorkerPoolInit {
  /** The worker script (it calls {@link serveTasks}). */
  readonly script: URL
  /** Worker threads at most; started on first use. */
  readonly size: number
  /** Hard deadline of one task, from the moment a worker takes it. */
  readonly timeoutMs: number
  /** Tasks that may wait for a worker; more are refused with `codes.busy`. */
  readonly maxQueue: number
  readonly codes: {
    /** The task passed its deadline (kind `timeout`). */
    readonly timeout: ErrorCode
    /** The queue is full (kind `unavailable`). */
    readonly busy: ErrorCode
    /** The worker died (kind `internal`). */
    readonly failed: ErrorCode
  }
  /** Heap limits of each worker: a document that needs more ends its worker, not the node. */
  readonly resourceLimits?: ResourceLimits
}

interface Task {
  readonly id: number
  readonly input: unknown
  readonly transfer: readonly Transferable[]
  readonly resolve: (value: unknown) => void
  readonly reject: (err: unknown) => void
}

interface PoolWorker {
  readonly worker: Worker
  ready: boolean
  gone: boolean
  task: Task | undefined
  timer: NodeJS.Timeout | undefined
}

interface Request {
  id: number
  input: unknown
}
type Reply =
  | { ready: true }
  | { id: number, ok: true, value: unknown, transfer?: Transferable[] }
  | { id: number, ok: false, error: { kind: ErrorKind, code: ErrorCode, message: string, details?: unknown } }

/** Serialisable form of an error thrown by a task. */
function errorOf (err: unknown): { kind: ErrorKind, code: ErrorCode, message: string, details?: unknown } {
  if (err instanceof LifelongError) return { kind: err.kind, code: err.code, message: err.message, ...(err.details === undefined ? {} : { details: err.details }) }
  return { kind: 'internal', code: 'INTERNAL', message: 'internal error' }
}

export class WorkerPool<I, O> {
  private readonly init: WorkerPoolInit
  private readonly workers: PoolWorker[] = []
  private readonly queue: Task[] = []
  private nextId = 0
  private closed = false

  constructor (init: WorkerPoolInit) {
    if (init.size < 1 || init.timeoutMs <= 0 || init.maxQueue < 0) throw new LifelongError('invalid', 'XML_WORKER_POOL_INVALID', 'a worker pool needs at least one worker, a positive timeout and a queue of zero or more')
    this.init = init
  }

  /** Workers running, tasks being worked on, tasks waiting. */
  get stats (): { workers: number, busy: number, queued: number } {
    return { workers: this.workers.length, busy: this.workers.filter((w) => w.task !== undefined).length, queued: this.queue.length }
  }

  /**
   * Runs one task on a worker. Rejects with the task's own {@link LifelongError}, or with the
   * pool's timeout, busy or failed code.
   */
  async run (input: I, transfer: readonly Transferable[] = []): Promise<O> {
    if (this.closed) throw new LifelongError('unavailable', this.init.codes.busy, 'the document checks have stopped')
    const idle = this.workers.some((w) => w.ready && w.task === undefined) || this.workers.length < this.init.size
    if (!idle && this.queue.length >= this.init.maxQueue) {
      throw new LifelongError('unavailable', this.init.codes.busy, 'too many documents are being checked; try again shortly')
    }
    return await new Promise<O>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, input, transfer, resolve: resolve as (value: unknown) => void, reject })
      this.pump()
    })
  }

  /** Ends every worker; waiting and running tasks are refused with the busy code. */
  async close (): Promise<void> {
    this.closed = true
    const stopped = new LifelongError('unavailable', this.init.codes.busy, 'the document checks have stopped')
    for (const task of this.queue.splice(0)) task.reject(stopped)
    const workers = this.workers.splice(0)
    for (const w of workers) this.retire(w, stopped)
    await Promise.all(workers.map(async (w) => await w.worker.terminate()))
  }

  private pump (): void {
    while (this.queue.length > 0) {
      const w = this.workers.find((x) => x.ready && x.task === undefined)
      if (w === undefined) {
        if (this.workers.length < this.init.size && !this.workers.some((x) => !x.ready)) this.spawn()
        return
      }
      this.dispatch(w, this.queue.shift() as Task)
    }
  }

  private spawn (): void {
    const worker = new Worker(this.init.script, this.init.resourceLimits === undefined ? {} : { resourceLimits: this.init.resourceLimits })
    const w: PoolWorker = { worker, ready: false, gone: false, task: undefined, timer: undefined }
    this.workers.push(w)
    worker.on('message', (reply: Reply) => {
      this.onReply(w, reply)
    })
    const died = (err?: unknown): void => {
      if (w.gone) return
      const failed = new LifelongError('internal', this.init.codes.failed, 'the document check stopped unexpectedly', { cause: err })
      // A worker that cannot even start would fail every task: refuse those waiting instead of retrying.
      if (!w.ready) { for (const task of this.queue.splice(0)) task.reject(failed) }
      this.retire(w, failed)
      this.pump()
    }
    worker.on('error', died)
    worker.on('exit', (code) => {
      died(new LifelongError('internal', this.init.codes.failed, `worker exited with code ${code}`))
    })
    // After the listeners (a 'message' listener refs the worker): it keeps the process alive only
    // while there is work for it (a starting worker is started for waiting work).
    this.holdWhileBusy(w)
  }

  /** Refs a worker while it has a task or is starting for waiting ones, unrefs it when idle. */
  private holdWhileBusy (w: PoolWorker): void {
    if (w.task !== undefined || (!w.ready && this.queue.length > 0)) w.worker.ref()
    else w.worker.unref()
  }

  private dispatch (w: PoolWorker, task: Task): void {
    w.task = task
    this.holdWhileBusy(w)
    w.timer = setTimeout(() => {
      this.retire(w, new LifelongError('timeout', this.init.codes.timeout, `the document was not checked within ${this.init.timeoutMs} ms; it is refused`))
      void w.worker.terminate()
      this.pump()
    }, this.init.timeoutMs)
    w.timer.unref()
    const request: Request = { id: task.id, input: task.input }
    w.worker.postMessage(request, task.transfer as Transferable[])
  }

  private onReply (w: PoolWorker, reply: Reply): void {
    if ('ready' in reply) {
      w.ready = true
      this.pump()
      this.holdWhileBusy(w)
      return
    }
    const task = w.task
    if (task === undefined || task.id !== reply.id || w.gone) return
    clearTimeout(w.timer)
    w.task = undefined
    w.timer = undefined
    this.holdWhileBusy(w)
    if (reply.ok) task.resolve(reply.value)
    else task.reject(new LifelongError(reply.error.kind, reply.error.code, reply.error.message, reply.error.details === undefined ? {} : { details: reply.error.details }))
    this.pump()
  }

  /** Takes a worker out of the pool, refusing its task with `err`. */
  private retire (w: PoolWorker, err: unknown): void {
    if (w.gone) return
    w.gone = true
    clearTimeout(w.timer)
    const i = this.workers.indexOf(w)
    if (i >= 0) this.workers.splice(i, 1)
    const task = w.task
    w.task = undefined
    task?.reject(err)
  }
}

/**
 * The worker side: answers each task with `fn(input)`, or its error. A result may name buffers to
 * move rather than copy ({@link Transferred}).
 */
export function serveTasks<I, O> (fn: (input: I) => O | Transferred<O>): void {
  const port = parentPort
  if (port === null) throw new LifelongError('internal', 'XML_WORKER_ONLY', 'serveTasks runs in a worker thread')
  port.on('message', (request: Request) => {
    try {
      const out = fn(request.input as I)
      if (out instanceof Transferred) port.postMessage({ id: request.id, ok: true, value: out.value } satisfies Reply, out.transfer)
      else port.postMessage({ id: request.id, ok: true, value: out } satisfies Reply)
    } catch (err) {
      port.postMessage({ id: request.id, ok: false, error: errorOf(err) } satisfies Reply)
    }
  })
  port.postMessage({ ready: true } satisfies Reply)
}

/** A task result with the buffers to move to the calling thread instead of copying them. */
export class Transferred<O> {
  readonly value: O
  readonly transfer: Transferable[]
  constructor (value: O, transfer: Transferable[]) {
    this.value = value
    this.transfer = transfer
  }
}
