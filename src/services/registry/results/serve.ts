/**
 * The source side of /lifelong/results/1.0.0. Before answering, a source checks that the
 * declared purpose is one it serves with a fitting legal basis (the framework has already
 * checked the caller's signature, membership and role), finds the learner, and records the
 * access in its log (learner-visible) — durably, before the results leave — naming the node that
 * read by its peer ID and role (several nodes of one organisation, such as the operator's index
 * and portal, are told apart); one record per reader, purpose and window covers repeated reads
 * of the same results (src/services/log/access-window.ts). Every result goes
 * out as the exact signed bytes, with its leaf, salt and inclusion proof against one signed
 * checkpoint, so the portal can verify each on its own.
 */
import { LifelongError } from '../../../core/errors.ts'
import type { Federation } from '../../../net/federation/federation.ts'
import type { RpcServer } from '../../../net/rpc/server.ts'
import type { Method, RequestContext } from '../../../net/rpc/method.ts'
import type { lifelong } from '../../../core/gen/proto.js'
import type { SubjectId } from './model.ts'
import { GetAccessLog, GetResults, ACCEPTED_PURPOSES } from './protocol.ts'
import type { LogProofs } from './ports.ts'
import type { ResultRegistry, StoredVersion } from './registry.ts'
import { logKeyOf } from './keys.ts'
import { AccessWindows } from '../../log/access-window.ts'
import { isConsumerRole } from '../../../core/federation/roles.ts'
import { consumerRequestRefusal } from '../../../core/federation/consumer-rights.ts'

export interface ResultServiceComponents {
  registry: ResultRegistry
  proofs: LogProofs
  federation: Federation
  now?: () => number
  /** Access records coalesced per reader, learner and purpose (the default window without). */
  accessWindows?: AccessWindows
}

function checkPurpose (ctx: RequestContext, method: Pick<Method<unknown, unknown>, 'roles' | 'type'>, allowed: readonly string[]): void {
  const capacities = readerRole(ctx, method).split(',')
  if (capacities.every(isConsumerRole)) {
    // A consumer reads under its own rights (the framework checked them too; this source holds to them itself).
    const refusal = consumerRequestRefusal(capacities, method.type, ctx.purpose, ctx.legalBasis)
    if (refusal !== undefined) throw new LifelongError('forbidden', refusal.code === 'RPC_LEGAL_BASIS_NOT_GRANTED' ? 'RESULTS_LEGAL_BASIS_REFUSED' : 'RESULTS_PURPOSE_REFUSED', refusal.message)
    return
  }
  if (!allowed.includes(ctx.purpose)) {
    throw new LifelongError('forbidden', 'RESULTS_PURPOSE_REFUSED', `this source does not hand out results for the purpose ${JSON.stringify(ctx.purpose.slice(0, 64))}`)
  }
  const bases = ACCEPTED_PURPOSES[ctx.purpose] ?? []
  if (!bases.includes(ctx.legalBasis)) {
    throw new LifelongError('forbidden', 'RESULTS_LEGAL_BASIS_REFUSED', `the purpose ${ctx.purpose} needs one of the legal bases ${bases.join(', ')}`)
  }
}

/** The reader's roles that the method admits (e.g. "portal"), as recorded with its access. */
function readerRole (ctx: RequestContext, method: Pick<Method<unknown, unknown>, 'roles'>): string {
  return (method.roles === 'any-member' ? ctx.caller.roles : ctx.caller.roles.filter((r) => (method.roles as readonly string[]).includes(r))).join(',')
}

function subjectOf (s: lifelong.results.IIdentifier | null | undefined): SubjectId {
  if ((s?.scheme !== 'national-id' && s?.scheme !== 'education-id') || typeof s.value !== 'string' || s.value === '' || s.value.length > 64) {
    throw new LifelongError('invalid', 'RESULTS_SUBJECT_INVALID', 'the request must name the learner by national-id or education-id')
  }
  return { scheme: s.scheme, value: s.value }
}

export class ResultService {
  private readonly c: ResultServiceComponents
  private readonly now: () => number
  private readonly windows: AccessWindows

  constructor (components: ResultServiceComponents) {
    this.c = components
    this.now = components.now ?? Date.now
    this.windows = components.accessWindows ?? new AccessWindows({ now: this.now })
  }

  /**
   * Records a read in the learner's access log here, unless a record of the same reader, role,
   * operation, purpose and legal basis in its window already covers what it discloses
   * (src/services/log/access-window.ts): what one reader can make this log grow by is what
   * there is to disclose, not how often it asks.
   */
  private async recordRead (access: lifelong.results.IAccessRecord, disclosed: readonly string[]): Promise<void> {
    const kind = [access.peerId, access.role, access.localId, access.operation, access.purpose, access.legalBasis].join('\n')
    await this.windows.record(kind, disclosed, async () => {
      await this.c.registry.recordAccess(access)
    })
  }

  /** Registers the handlers with the node's RPC server. */
  serve (server: RpcServer): void {
    server.handle(GetResults, async (req, ctx) => await this.getResults(req, ctx))
    server.handle(GetAccessLog, async (req, ctx) => await this.getAccessLog(req, ctx))
  }

  async getResults (req: lifelong.results.IGetResultsRequest, ctx: RequestContext): Promise<lifelong.results.IGetResultsResponse> {
    checkPurpose(ctx, GetResults, Object.keys(ACCEPTED_PURPOSES).filter((p) => p !== 'portal.access-log'))
    const subject = subjectOf(req.subject)
    const ids = req.resultIds ?? []
    if (ids.length > 1000) throw new LifelongError('invalid', 'RESULTS_TOO_MANY_IDS', 'at most 1000 result IDs')
    const learner = await this.c.registry.learner(subject)
    if (learner === undefined) {
      // Nothing about this person is held here; nothing to log as read.
      return { learnerKnown: false, results: [], checkpoint: '' }
    }
    const versions = await this.c.registry.resultsOf(learner.localId, ids.length === 0 ? undefined : new Set(ids))
    await this.locate(versions)
    // The access record is appended (durably: its sync write shares a group commit with other
    // appends) while the proofs are read; the answer leaves only once both are done.
    const logged = this.recordRead({
      localId: learner.localId,
      requestId: Buffer.from(ctx.requestId, 'hex'),
      organisationNumber: ctx.caller.organisationNumber,
      peerId: ctx.caller.peerId,
      operation: 'results.get',
      purpose: ctx.purpose,
      legalBasis: ctx.legalBasis,
      atMs: this.now(),
      results: versions.length,
      role: readerRole(ctx, GetResults)
    }, versions.map((v) => `${v.resultId}@${v.version}`))
    if (versions.length === 0) {
      await logged
      return { learnerKnown: true, results: [], checkpoint: '' }
    }
    const proved = this.proved(versions, learner.subjectSalt)
    // Neither rejection goes unhandled: both are awaited together.
    const [, answer] = await Promise.all([logged, proved])
    const { results, checkpoint } = answer
    return { learnerKnown: true, results, checkpoint: checkpoint.note }
  }

  /** The served form of each version: its leaf, salt and inclusion proof against one checkpoint covering all. */
  private async proved (versions: StoredVersion[], subjectSalt: Uint8Array): Promise<{ results: lifelong.results.IServedResult[], checkpoint: { note: string, size: number } }> {
    const maxIndex = Math.max(...versions.map((v) => v.logIndex as number))
    const checkpoint = await this.c.proofs.checkpoint(maxIndex + 1)
    const results = await Promise.all(versions.map(async (v) => {
      const index = v.logIndex as number
      const [entry, proof] = await Promise.all([this.c.proofs.entry(index), this.c.proofs.inclusionProof(index, checkpoint.size)])
      return {
        envelope: v.envelope,
        logKey: logKeyOf(v.resultId, v.version),
        logIndex: index,
        leaf: entry.leaf,
        salt: entry.salt,
        inclusionProof: proof,
        subjectSalt
      }
    }))
    return { results, checkpoint }
  }

  /** Fills in log indexes lost to a crash between an append and the index write, from the log itself. */
  private async locate (versions: StoredVersion[]): Promise<void> {
    if (versions.every((v) => v.logIndex !== undefined)) return
    const size = this.c.proofs.size()
    const wanted = new Map(versions.filter((v) => v.logIndex === undefined).map((v) => [`v/${v.resultId}/${v.version.toString(16).padStart(8, '0')}`, v]))
    const found: Array<{ resultId: string, version: number, index: number }> = []
    // Newest first: a version missing its index was appended recently.
    for (let end = size; end > 0 && wanted.size > 0; end -= 10_000) {
      const start = Math.max(0, end - 10_000)
      for (const loc of await this.c.proofs.locations(start, end)) {
        const v = loc.sublevel === 'results' && loc.key !== undefined ? wanted.get(loc.key) : undefined
        if (v === undefined) continue
        v.logIndex = loc.index
        found.push({ resultId: v.resultId, version: v.version, index: loc.index })
        wanted.delete(loc.key as string)
      }
    }
    if (wanted.size > 0) throw new LifelongError('internal', 'RESULTS_NOT_IN_LOG', `${wanted.size} result version(s) have no log entry`)
    await this.c.registry.remember(found)
  }

  async getAccessLog (req: lifelong.results.IGetAccessLogRequest, ctx: RequestContext): Promise<lifelong.results.IGetAccessLogResponse> {
    checkPurpose(ctx, GetAccessLog, ['portal.access-log'])
    const subject = subjectOf(req.subject)
    const limit = Math.min(Math.max(req.limit ?? 100, 1), 500)
    const learner = await this.c.registry.learner(subject)
    if (learner === undefined) return { rows: [] }
    const rows = await this.c.registry.accessLog(learner.localId, limit)
    // Covered by the kind alone, not by the rows it shows: they include this reader's own earlier
    // records, so every read would disclose something new.
    await this.recordRead({
      localId: learner.localId,
      requestId: Buffer.from(ctx.requestId, 'hex'),
      organisationNumber: ctx.caller.organisationNumber,
      peerId: ctx.caller.peerId,
      operation: 'results.access-log',
      purpose: ctx.purpose,
      legalBasis: ctx.legalBasis,
      atMs: this.now(),
      results: 0,
      role: readerRole(ctx, GetAccessLog)
    }, [])
    const members = this.c.federation.current().manifest.members
    return {
      rows: rows.map((r) => ({
        atMs: r.atMs,
        organisationNumber: r.organisationNumber,
        // The node that read, by its peer ID: index, registry and portal may share an organisation number.
        organisationName: members.find((m) => m.peerId === r.peerId)?.name ?? '',
        operation: r.operation,
        purpose: r.purpose,
        legalBasis: r.legalBasis,
        requestId: Buffer.from(r.requestId).toString('hex'),
        results: r.results,
        peerId: r.peerId,
        role: r.role
      }))
    }
  }
}
