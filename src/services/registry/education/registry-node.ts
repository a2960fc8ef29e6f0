/**
 * The registry node's side of the catalogue protocol: staged uploads committed atomically, and
 * the handlers that turn verified requests into calls of {@link EducationRegistry}. The caller
 * (organisation number, roles) comes from the manifest entry of the verified signer.
 */
import { randomBytes } from 'node:crypto'
import { lifelong } from '../../../core/gen/proto.js'
import type { RpcServer } from '../../../net/rpc/server.ts'
import type { Handler, Method, RequestContext } from '../../../net/rpc/method.ts'
import type { Logger } from '../../../core/observability/logger.ts'
import { toLifelongError } from '../../../core/errors.ts'
import { EducationCodes as C, educationError } from './errors.ts'
import { decisionFromProto, institutionToProto, offeringFromProto, offeringVersionToProto } from './model.ts'
import { GetOffering, ListOwnedOfferings, PublishOfferings, RecordAccreditation } from './protocol.ts'
import type { EducationRegistry, OfferingChangeInput } from './registry.ts'

type PublishRequest = lifelong.education.PublishOfferingsRequest.$Properties

export interface UploadLimits {
  /** Parts of one upload. */
  maxParts: number
  /** Changes staged per sending peer across its open uploads. */
  maxStagedChanges: number
  /** An upload whose next part does not arrive within this time is dropped. */
  idleMs: number
}

export const DEFAULT_UPLOAD_LIMITS: UploadLimits = { maxParts: 10_000, maxStagedChanges: 500_000, idleMs: 10 * 60_000 }

interface Staged {
  peer: string
  parts: number
  changes: OfferingChangeInput[]
  received: number
  touched: number
}

/**
 * Holds the parts of uploads until their last part arrives. Parts arrive in order (1, 2, …);
 * a gap, a changed part count or a stale upload is refused, and nothing of it is kept.
 */
export class UploadStaging {
  private readonly uploads = new Map<string, Staged>()
  private readonly limits: UploadLimits
  private readonly now: () => number

  constructor (limits: UploadLimits, now: () => number) {
    this.limits = limits
    this.now = now
  }

  private sweep (): void {
    const cutoff = this.now() - this.limits.idleMs
    for (const [k, s] of this.uploads) if (s.touched < cutoff) this.uploads.delete(k)
  }

  private stagedBy (peer: string): number {
    let n = 0
    for (const s of this.uploads.values()) if (s.peer === peer) n += s.changes.length
    return n
  }

  /** Adds a part; returns every change of the upload once the last part is in, else undefined. */
  add (peer: string, uploadId: Uint8Array, part: number, parts: number, changes: OfferingChangeInput[]): OfferingChangeInput[] | undefined {
    this.sweep()
    if (uploadId.length < 8 || uploadId.length > 32) throw educationError('invalid', C.uploadInvalid, 'an upload ID is 8–32 bytes')
    if (!Number.isInteger(parts) || parts < 1 || parts > this.limits.maxParts) throw educationError('invalid', C.uploadInvalid, `an upload has 1–${this.limits.maxParts} parts`)
    if (!Number.isInteger(part) || part < 1 || part > parts) throw educationError('invalid', C.uploadInvalid, `part ${part} of ${parts}`)
    const key = `${peer}/${Buffer.from(uploadId).toString('hex')}`
    let s = this.uploads.get(key)
    if (part === 1) {
      s = { peer, parts, changes: [], received: 0, touched: this.now() }
      this.uploads.set(key, s)
    }
    if (s === undefined) throw educationError('gone', C.uploadExpired, 'no such upload (it expired or never began): send it again from part 1')
    if (s.parts !== parts || s.received !== part - 1) {
      this.uploads.delete(key)
      throw educationError('invalid', C.uploadInvalid, `expected part ${s.received + 1} of ${s.parts}, got ${part} of ${parts}: send the upload again`)
    }
    if (this.stagedBy(peer) + changes.length > this.limits.maxStagedChanges) {
      this.uploads.delete(key)
      throw educationError('too-large', C.uploadInvalid, `more than ${this.limits.maxStagedChanges} changes staged`)
    }
    s.changes.push(...changes)
    s.received = part
    s.touched = this.now()
    if (part < parts) return undefined
    this.uploads.delete(key)
    return s.changes
  }

  get size (): number {
    return this.uploads.size
  }
}

function changesOf (req: PublishRequest, today: string): OfferingChangeInput[] {
  return (req.changes ?? []).map((c, i) => {
    const offering = offeringFromProto(c.offering)
    return { clientRef: c.clientRef === '' || c.clientRef == null ? `#${i}` : c.clientRef, offering, validFrom: c.validFrom === '' || c.validFrom == null ? today : c.validFrom }
  })
}

const publisherOf = (ctx: RequestContext): { organisationNumber: string, roles: readonly string[] } => ({ organisationNumber: ctx.caller.organisationNumber, roles: ctx.caller.roles })

/** Registers the registry's catalogue protocol handlers on the node's RPC server. */
export function serveCatalogueProtocol (rpc: RpcServer, registry: EducationRegistry, staging: UploadStaging, logger: Logger): void {
  // Every refusal is logged with the caller's organisation and the code (never a body): operators see who was refused what.
  const server = {
    handle<Req, Res> (method: Method<Req, Res>, handler: Handler<Req, Res>): void {
      rpc.handle(method, async (req, ctx) => {
        try {
          return await handler(req, ctx)
        } catch (err) {
          const e = toLifelongError(err)
          if (e.kind !== 'internal') logger.info({ type: method.type, caller: ctx.caller.organisationNumber, peer: ctx.caller.peerId, code: e.code }, 'catalogue request refused')
          throw err
        }
      })
    }
  }
  server.handle(PublishOfferings, async (req, ctx) => {
    const all = staging.add(ctx.caller.peerId, req.uploadId ?? new Uint8Array(), req.part ?? 0, req.parts ?? 0, changesOf(req, registry.today()))
    if (all === undefined) return { committed: false, results: [], treeSize: 0 }
    const { results, logSize } = await registry.publish(all, publisherOf(ctx))
    return { committed: true, results, treeSize: logSize }
  })

  server.handle(RecordAccreditation, async (req, ctx) => {
    const decision = await registry.recordDecision(decisionFromProto(req.decision), publisherOf(ctx))
    return { decision }
  })

  server.handle(GetOffering, async (req) => {
    const view = registry.getOffering(req.id ?? '', req.asOf === '' || req.asOf == null ? {} : { validOn: req.asOf })
    return {
      version: offeringVersionToProto(view.version),
      currentOwner: view.currentOwner === undefined ? null : institutionToProto(view.currentOwner),
      issuer: view.issuer === undefined ? null : institutionToProto(view.issuer)
    }
  })

  server.handle(ListOwnedOfferings, async (req, ctx) => {
    const limit = Math.min(1000, Math.max(1, req.limit === 0 || req.limit == null ? 500 : req.limit))
    const page = registry.listOwned(ctx.caller.organisationNumber, req.after ?? '', limit)
    return { versions: page.versions.map(offeringVersionToProto), next: page.next }
  })
}

/** A random upload ID. */
export function newUploadId (): Uint8Array {
  return new Uint8Array(randomBytes(16))
}
