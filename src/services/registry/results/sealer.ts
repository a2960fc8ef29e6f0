/**
 * Sealing result versions in batches: each encoded record is signed with the node key (Ed25519,
 * through Node's crypto with the key held as a KeyObject) and gets its content hash. One
 * signature costs about 30 µs of CPU, the largest part of ingesting a result, so a large batch
 * is sealed on worker threads: chunks go to the workers as the registry encodes them, and when
 * the registry has encoded the last one it seals itself only the chunks no worker could take
 * (a worker holds at most `IN_FLIGHT`, or has failed). Small batches are sealed on the calling
 * thread only.
 *
 * The workers hold the private key (a KeyObject handed over at start); they are started on the
 * first large batch, do not keep the process alive, and are ended by {@link ResultSealer.close}.
 */
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import type { SigningKey } from '../../../core/crypto/ed25519.ts'
import type { PqSigningKey } from '../../../core/crypto/ml-dsa.ts'
import { LifelongError } from '../../../core/errors.ts'
import { sealPayload, type MlDsaSealKey, type SealedRecord } from './seal.ts'
import type { SealReply, SealRequest } from './seal-worker.ts'

export interface ResultSealerInit {
  /** Worker threads; default one fewer than the machine's cores, at most 4 (0: seal on the calling thread only). */
  workers?: number
  /** Batches with fewer records than this are sealed on the calling thread. Default 256. */
  minBatch?: number
  /** Records per chunk handed to a worker. Default 128. */
  chunk?: number
}

interface Chunk {
  session: SealSession
  first: number
  payloads: Uint8Array[]
}

interface PoolWorker {
  worker: Worker
  inFlight: Map<number, Chunk>
  dead: boolean
}

/**
 * Chunks a worker holds at once. Planning a batch is one synchronous stretch on the calling
 * thread, during which no reply can be read and no chunk handed on: a worker that held only
 * the next chunk or two sat idle for most of it, and the calling thread then sealed most of
 * the batch itself after planning (26 of the ~30 µs per result in a profile of 50,000
 * results). Handed every chunk as it is made, the workers seal while the batch is planned.
 */
const IN_FLIGHT = 64

export class ResultSealer {
  private readonly key: SigningKey
  private readonly mlDsa: MlDsaSealKey | undefined
  private readonly workerCount: number
  private readonly minBatch: number
  private readonly chunkSize: number
  private workers: PoolWorker[] | undefined
  private readonly queue: Chunk[] = []
  private nextId = 0
  private closed = false

  /** With `mlDsaKey`, every seal is hybrid (Ed25519 and ML-DSA-65). */
  constructor (key: SigningKey, init: ResultSealerInit = {}, mlDsaKey?: PqSigningKey) {
    this.key = key
    this.mlDsa = mlDsaKey === undefined ? undefined : { privateKey: mlDsaKey.privateKey, publicKeyRaw: mlDsaKey.publicKeyRaw }
    this.workerCount = Math.max(0, init.workers ?? Math.min(4, availableParallelism() - 1))
    this.minBatch = init.minBatch ?? 256
    this.chunkSize = Math.max(1, init.chunk ?? 128)
  }

  /** Starts sealing a batch of about `expected` records (added one by one with `add`). */
  session (expected: number): SealSession {
    const parallel = !this.closed && this.workerCount > 0 && expected >= this.minBatch
    return new SealSession(this, parallel, this.chunkSize)
  }

  /** Seals one record on the calling thread. */
  sealHere (payload: Uint8Array): SealedRecord {
    return sealPayload(this.key.privateKey, this.key.publicKeyRaw, payload, this.mlDsa)
  }

  /** Hands a chunk to the pool. @internal */
  submit (chunk: Chunk): void {
    this.queue.push(chunk)
    this.pump()
  }

  /** Takes a chunk no worker has taken yet, to seal on the calling thread. @internal */
  steal (session: SealSession): Chunk | undefined {
    const i = this.queue.findIndex((c) => c.session === session)
    return i < 0 ? undefined : this.queue.splice(i, 1)[0]
  }

  private pump (): void {
    const workers = this.ensureWorkers()
    while (this.queue.length > 0) {
      // The live worker with the fewest chunks, so that chunks spread over the workers.
      let w: PoolWorker | undefined
      for (const x of workers) if (!x.dead && x.inFlight.size < IN_FLIGHT && (w === undefined || x.inFlight.size < w.inFlight.size)) w = x
      if (w === undefined) return
      const chunk = this.queue.shift() as Chunk
      const id = this.nextId++
      let total = 0
      for (const p of chunk.payloads) total += p.length
      const bytes = new Uint8Array(total)
      const ends = new Uint32Array(chunk.payloads.length)
      let at = 0
      chunk.payloads.forEach((p, i) => {
        bytes.set(p, at)
        at += p.length
        ends[i] = at
      })
      // Referenced while it has work, so that the process waits for it, and not otherwise.
      if (w.inFlight.size === 0) w.worker.ref()
      w.inFlight.set(id, chunk)
      const req: SealRequest = { id, bytes, ends }
      w.worker.postMessage(req, [bytes.buffer, ends.buffer])
    }
  }

  private ensureWorkers (): PoolWorker[] {
    if (this.workers !== undefined) return this.workers
    this.workers = []
    for (let i = 0; i < this.workerCount; i++) {
      const worker = new Worker(new URL('./seal-worker.ts', import.meta.url), { workerData: { privateKey: this.key.privateKey, publicKeyRaw: this.key.publicKeyRaw, ...(this.mlDsa === undefined ? {} : { mlDsa: this.mlDsa }) } })
      const w: PoolWorker = { worker, inFlight: new Map(), dead: false }
      worker.on('message', (reply: SealReply) => {
        this.onReply(w, reply)
      })
      // A worker that fails gives its chunks back: the calling thread seals them.
      const fail = (): void => {
        if (w.dead) return
        w.dead = true
        for (const chunk of w.inFlight.values()) chunk.session.returned(chunk)
        w.inFlight.clear()
      }
      worker.on('error', fail)
      worker.on('exit', fail)
      // After the listeners: adding a 'message' listener refs the worker again.
      worker.unref()
      this.workers.push(w)
    }
    return this.workers
  }

  private onReply (w: PoolWorker, reply: SealReply): void {
    const chunk = w.inFlight.get(reply.id)
    if (chunk === undefined) return
    w.inFlight.delete(reply.id)
    if (w.inFlight.size === 0) w.worker.unref()
    if (reply.error !== undefined || reply.bytes === undefined || reply.ends === undefined || reply.hashes === undefined) {
      chunk.session.returned(chunk)
    } else {
      const out: SealedRecord[] = []
      let start = 0
      reply.ends.forEach((end, i) => {
        out.push({ envelope: (reply.bytes as Uint8Array).subarray(start, end), contentHash: (reply.hashes as string[])[i] as string })
        start = end
      })
      chunk.session.sealed(chunk, out)
    }
    this.pump()
  }

  /** Ends the worker threads; later batches are sealed on the calling thread. */
  async close (): Promise<void> {
    this.closed = true
    const workers = this.workers ?? []
    this.workers = []
    for (const w of workers) w.dead = true
    await Promise.all(workers.map(async (w) => await w.worker.terminate()))
    // Chunks still waiting go back to their sessions.
    for (const chunk of this.queue.splice(0)) chunk.session.returned(chunk)
  }
}

/** One batch being sealed: records are added in order; `finish` gives them back sealed, in order. */
export class SealSession {
  private readonly sealer: ResultSealer
  private readonly parallel: boolean
  private readonly chunkSize: number
  private readonly out: Array<SealedRecord | undefined> = []
  private pending: Uint8Array[] = []
  private first = 0
  private outstanding = 0
  private readonly returnedChunks: Chunk[] = []
  private wake: (() => void) | undefined

  constructor (sealer: ResultSealer, parallel: boolean, chunkSize: number) {
    this.sealer = sealer
    this.parallel = parallel
    this.chunkSize = chunkSize
  }

  /** Adds an encoded record; returns its position in the batch. */
  add (payload: Uint8Array): number {
    const at = this.out.length
    this.out.push(undefined)
    this.pending.push(payload)
    if (this.parallel && this.pending.length >= this.chunkSize) this.flush()
    return at
  }

  private flush (): void {
    if (this.pending.length === 0) return
    const chunk: Chunk = { session: this, first: this.first, payloads: this.pending }
    this.first += this.pending.length
    this.pending = []
    this.outstanding++
    this.sealer.submit(chunk)
  }

  /** @internal */
  sealed (chunk: Chunk, records: SealedRecord[]): void {
    records.forEach((r, i) => {
      this.out[chunk.first + i] = r
    })
    this.outstanding--
    this.wake?.()
  }

  /** A chunk a worker could not seal. @internal */
  returned (chunk: Chunk): void {
    this.returnedChunks.push(chunk)
    this.wake?.()
  }

  private sealHere (chunk: Chunk): void {
    chunk.payloads.forEach((p, i) => {
      this.out[chunk.first + i] = this.sealer.sealHere(p)
    })
    this.outstanding--
  }

  /** Every record added, sealed, in the order added. @throws LifelongError RESULTS_SEAL_FAILED */
  async finish (): Promise<SealedRecord[]> {
    if (!this.parallel) {
      this.pending.forEach((p, i) => {
        this.out[this.first + i] = this.sealer.sealHere(p)
      })
      this.pending = []
    } else {
      this.flush()
      // Seal what no worker has taken yet, letting the workers' replies in between chunks.
      for (;;) {
        const chunk = this.returnedChunks.shift() ?? this.sealer.steal(this)
        if (chunk !== undefined) {
          this.sealHere(chunk)
          await new Promise<void>((resolve) => setImmediate(resolve))
          continue
        }
        if (this.outstanding === 0) break
        await new Promise<void>((resolve) => {
          this.wake = resolve
        })
        this.wake = undefined
      }
    }
    const out = this.out
    if (out.some((r) => r === undefined)) throw new LifelongError('internal', 'RESULTS_SEAL_FAILED', 'a result version was not sealed')
    return out as SealedRecord[]
  }
}
