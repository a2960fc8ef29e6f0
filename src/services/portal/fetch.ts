/**
 * The portal's fan-out: ask the national index where a learner's results are, ask every source
 * in parallel under one deadline, verify every result (signature, log inclusion against the
 * source's signed checkpoint, subject, issuer or successor), and merge. Each source ends with a
 * status — ok, unavailable, timed out, refused, failed — so the learner sees a partial answer
 * for what it is; a result that fails verification is kept, flagged with its reason, and never
 * shown as verified.
 */
import type { Federation } from '../../net/federation/federation.ts'
import type { Member } from '../../core/federation/manifest.ts'
import type { Logger } from '../../core/observability/logger.ts'
import type { RpcClient } from '../../net/rpc/client.ts'
import { lifelong } from '../../core/gen/proto.js'
import { LifelongError, toLifelongError, type ErrorCode } from '../../core/errors.ts'
import { GetAccessLog, GetResults } from '../registry/results/protocol.ts'
import { logOriginOf, openSourceCheckpoint, verifyServedResult, type SourceKey, type Verification } from '../registry/results/verify.ts'
import type { SignaturePolicy } from '../../core/crypto/policy.ts'
import { logWitnesses } from '../../core/federation/witnessing.ts'
import type { OfferingCatalogue, OfferingInfo } from '../registry/results/ports.ts'
import type { SubjectId } from '../registry/results/model.ts'
import type { ResultView } from '../registry/results/record.ts'
import { witnessKeyHistory } from '../../core/log/key-history.ts'
import { witnessNoteVerifiers } from '../../core/log/hybrid.ts'
import type { NoteVerifier } from '../../core/log/note.ts'
import type { OpenedCheckpoint } from '../../core/log/checkpoint.ts'
import { FanOutGate } from './fan-out-gate.ts'

/** Opened checkpoints kept: a source serves the same note until it signs a new one. */
const CHECKPOINT_CACHE_SIZE = 1024

/** Why the portal reads: purpose and legal basis, sent with every request. */
export interface Purpose {
  purpose: string
  legalBasis: string
}

/** An organisation holding results of the learner, with its current nodes. */
export interface ResultSource {
  organisationNumber: string
  name: string
  peerIds: string[]
}

/** "Where are L's results" (the national index). */
export interface SourceDirectory {
  find(subject: SubjectId, why: Purpose): Promise<ResultSource[]>
}

export type SourceStatus = 'ok' | 'unavailable' | 'timed-out' | 'refused' | 'failed'

export interface SourceReport {
  organisationNumber: string
  name: string
  status: SourceStatus
  /** The error code when not ok. */
  code?: ErrorCode
  results: number
  flagged: number
  /** False when the source answered that it knows no such learner. */
  known?: boolean
}

/** One result as the portal fetched and checked it. */
export interface PortalResult {
  /** `<organisation number>:<result ID>`: what a share or a transfer names. */
  key: string
  source: { organisationNumber: string, name: string, peerId: string }
  verification: Verification
  /** The result's facts (also for flagged ones, to show them as not verified). */
  view?: ResultView
  /** Set when the source holds the result as the issuer's successor (after a merger). */
  heldBy?: { organisationNumber: string, name: string }
  /** What a proof bundle needs: the served result and the source's checkpoint note. */
  served: lifelong.results.IServedResult
  checkpoint: string
  /** The members whose cosignatures on that checkpoint verified. */
  witnesses: Member[]
}

export interface FetchOutcome {
  sources: SourceReport[]
  results: PortalResult[]
  /** Set when the index could not say where the results are. */
  directoryError?: ErrorCode
}

export interface ResultFetcherComponents {
  client: RpcClient
  federation: Federation
  directory: SourceDirectory
  catalogue?: OfferingCatalogue
  logger: Logger
  now?: () => number
}

export interface ResultFetcherInit {
  federationId: string
  deadlineMs: number
  /** Fan-outs per learner and purpose per window (fan-out-gate.ts; 60 a minute without). */
  fanOutLimit?: { perWindow: number, windowMs: number }
  /** What a source's checkpoint and seals must carry (default `ed25519-only`). */
  policy?: SignaturePolicy
}

function statusOf (err: unknown): { status: SourceStatus, code: ErrorCode } {
  const e = toLifelongError(err)
  if (e.kind === 'timeout' || e.code === 'RPC_DEADLINE_EXCEEDED') return { status: 'timed-out', code: e.code }
  if (e.kind === 'unavailable' || e.code === 'RPC_UNKNOWN_MEMBER' || e.code === 'RPC_BUSY') return { status: 'unavailable', code: e.code }
  if (e.kind === 'forbidden' || e.kind === 'unauthenticated') return { status: 'refused', code: e.code }
  return { status: 'failed', code: e.code }
}

export class ResultFetcher {
  private readonly c: ResultFetcherComponents
  private readonly init: ResultFetcherInit
  /**
   * Checkpoints whose signatures verified, by the exact note text, the source's log origin and
   * the witness keys they were checked against. Every cosigning member is a witness, so opening
   * a note costs one Ed25519 verification per member, for every source of every sign-in; the
   * same note (same bytes, same keys) verifies the same way, so it is checked once.
   */
  private readonly checkpoints = new Map<string, OpenedCheckpoint>()
  private witnessCache: { key: string, bySource: Map<string, Array<{ member: Member, verifier: NoteVerifier }>> } | undefined

  private readonly gate: FanOutGate

  constructor (components: ResultFetcherComponents, init: ResultFetcherInit) {
    this.c = components
    this.init = init
    this.gate = new FanOutGate({ ...init.fanOutLimit, ...(components.now === undefined ? {} : { now: components.now }) })
  }

  /**
   * Every result of the learner (or only `only`: result keys per organisation), verified, with
   * a status per source. Never throws for a source's failure. The same fetch asked for while it
   * runs is joined, and a learner's fetches per purpose are limited (fan-out-gate.ts).
   * @throws LifelongError PORTAL_FAN_OUT_RATE_LIMITED (rate-limited)
   */
  async fetch (subjects: readonly SubjectId[], why: Purpose, only?: ReadonlyMap<string, readonly string[]>): Promise<FetchOutcome> {
    const subject = subjects[0] as SubjectId
    const wanted = only === undefined ? ['*'] : [...only].map(([org, ids]) => `${org}:${[...ids].sort().join(',')}`).sort()
    const outcome = await this.gate.run([subject.scheme, subject.value, why.purpose], [why.legalBasis, ...subjects.map((s) => `${s.scheme}:${s.value}`), ...wanted], async () => await this.fanOut(subjects, why, only))
    // Each caller gets its own lists (a joined caller may sort them).
    return { ...outcome, sources: [...outcome.sources], results: [...outcome.results] }
  }

  private async fanOut (subjects: readonly SubjectId[], why: Purpose, only?: ReadonlyMap<string, readonly string[]>): Promise<FetchOutcome> {
    const subject = subjects[0] as SubjectId
    const started = Date.now()
    let sources: ResultSource[]
    let timer: NodeJS.Timeout | undefined
    try {
      // The index lookup counts against the same deadline: a slow or down index must not stall the page.
      sources = await Promise.race([
        this.c.directory.find(subject, why),
        new Promise<never>((_resolve, reject) => {
          timer = setTimeout(() => {
            reject(new LifelongError('timeout', 'PORTAL_INDEX_TIMEOUT', 'the national index did not answer in time'))
          }, this.init.deadlineMs)
        })
      ])
    } catch (err) {
      return { sources: [], results: [], directoryError: toLifelongError(err).code }
    } finally {
      clearTimeout(timer)
    }
    if (only !== undefined) sources = sources.filter((s) => only.has(s.organisationNumber))
    const remaining = (): number => Math.max(1, this.init.deadlineMs - (Date.now() - started))
    const outcomes = await Promise.all(sources.map(async (s) => await this.fromSource(s, subjects, why, remaining(), only?.get(s.organisationNumber))))
    return { sources: outcomes.map((o) => o.report), results: outcomes.flatMap((o) => o.results) }
  }

  private member (s: ResultSource): Member | undefined {
    return this.candidates(s)[0]
  }

  /**
   * The source's member seen as each of its keys in force now, the listed (current) one first:
   * while a member rotates its node key, the node may still run with the previous one until it
   * restarts (docs/OPERATIONS.md §Rotating a node key), so a call that fails under one is tried
   * under the next.
   */
  private candidates (s: ResultSource): Member[] {
    for (const peerId of s.peerIds) {
      const m = this.c.federation.activeMember(peerId) ?? this.c.federation.memberByIdentity(peerId)
      if (m === undefined || !m.roles.includes('institution')) continue
      const current = this.c.federation.memberByIdentity(m.identity) ?? m
      const views = [current.peerId, ...[...current.keys].reverse().map((k) => k.peerId)]
      return [...new Set(views)].flatMap((id) => {
        const v = this.c.federation.activeMember(id)
        return v === undefined ? [] : [v]
      })
    }
    return []
  }

  private async fromSource (s: ResultSource, subjects: readonly SubjectId[], why: Purpose, deadlineMs: number, ids?: readonly string[]): Promise<{ report: SourceReport, results: PortalResult[] }> {
    const report: SourceReport = { organisationNumber: s.organisationNumber, name: s.name, status: 'ok', results: 0, flagged: 0 }
    const candidates = this.candidates(s)
    let member = candidates[0]
    if (member === undefined) return { report: { ...report, status: 'unavailable', code: 'PORTAL_SOURCE_NOT_A_MEMBER' }, results: [] }
    report.name = member.name
    let res: lifelong.results.IGetResultsResponse | undefined
    const controller = new AbortController()
    const timer = setTimeout(() => {
      controller.abort()
    }, deadlineMs)
    try {
      for (const [i, candidate] of candidates.entries()) {
        try {
          res = await this.c.client.call(candidate.peerId, GetResults, { subject: subjects[0], resultIds: [...(ids ?? [])] }, { ...why, deadlineMs, signal: controller.signal })
          member = candidate
          break
        } catch (err) {
          // Dialling a key the node does not run yet fails in the handshake (refused) or finds no one.
          if (i < candidates.length - 1 && !controller.signal.aborted && statusOf(err).status !== 'timed-out') continue
          const st = controller.signal.aborted ? { status: 'timed-out' as const, code: 'PORTAL_DEADLINE' as const } : statusOf(err)
          this.c.logger.debug({ source: s.organisationNumber, code: st.code }, 'result source did not answer')
          return { report: { ...report, ...st }, results: [] }
        }
      }
    } finally {
      clearTimeout(timer)
    }
    if (res === undefined) return { report: { ...report, status: 'unavailable', code: 'PORTAL_SOURCE_NOT_A_MEMBER' }, results: [] }
    const served = res.results ?? []
    report.known = res.learnerKnown === true
    if (served.length === 0) return { report, results: [] }
    // The checkpoint is signed by the key the source runs with; its results may be sealed by any of its keys over time.
    const source = { peerId: member.peerId, organisationNumber: member.organisationNumber, publicKey: member.publicKey, ...(member.mlDsaPublicKey === undefined ? {} : { mlDsaPublicKey: member.mlDsaPublicKey }), keys: member.keys }
    let checkpoint
    try {
      checkpoint = this.openCheckpoint(res.checkpoint ?? '', member, source)
    } catch (err) {
      const code = toLifelongError(err).code
      const results = served.map((r): PortalResult => ({
        key: `${s.organisationNumber}:?`,
        source: { organisationNumber: member.organisationNumber, name: member.name, peerId: member.peerId },
        verification: { ok: false, code: 'LOG_CHECKPOINT_INVALID', message: code },
        served: r,
        checkpoint: res.checkpoint ?? '',
        witnesses: []
      }))
      return { report: { ...report, results: served.length, flagged: served.length }, results }
    }
    const cosigners = new Set(checkpoint.cosignatures.map((c) => `${c.name}+${c.keyId}`))
    const witnesses = this.witnessVerifiers(member.peerId).filter((w) => cosigners.has(`${w.verifier.name}+${w.verifier.keyId}`)).map((w) => w.member)
    const successions = await this.successions(served, member.organisationNumber)
    const results = served.map((r): PortalResult => {
      const verification = verifyServedResult(r, {
        source,
        checkpoint,
        subjects,
        policy: this.init.policy ?? 'ed25519-only',
        isSuccessor: (issuerOrg, holderOrg, view) => {
          const o = view.offeringId === undefined ? undefined : successions.get(`${view.offeringId}@${view.achievedOn}`)
          return o?.issuer?.organisationNumber === issuerOrg && o?.owner?.organisationNumber === holderOrg
        }
      })
      const view = verification.ok ? verification.view : verification.view
      const out: PortalResult = {
        key: `${member.organisationNumber}:${view?.resultId ?? '?'}`,
        source: { organisationNumber: member.organisationNumber, name: member.name, peerId: member.peerId },
        verification,
        served: r,
        checkpoint: res.checkpoint ?? '',
        witnesses
      }
      if (view !== undefined) out.view = view
      if (view !== undefined && view.issuer.organisationNumber !== member.organisationNumber) {
        const o = view.offeringId === undefined ? undefined : successions.get(`${view.offeringId}@${view.achievedOn}`)
        out.heldBy = { organisationNumber: member.organisationNumber, name: o?.owner?.name.nb ?? member.name }
      }
      return out
    })
    report.results = results.length
    report.flagged = results.filter((r) => !r.verification.ok).length
    return { report, results }
  }

  /** A source's checkpoint, opened with its log key and the witnesses' keys (once per note and keys). @throws LifelongError LOG_CHECKPOINT_INVALID */
  private openCheckpoint (note: string, member: Member, source: SourceKey): OpenedCheckpoint {
    const witnesses = this.witnessVerifiers(member.peerId)
    const origin = logOriginOf(this.init.federationId, member.identity)
    const key = `${this.witnessCache?.key ?? ''}\n${Buffer.from(member.publicKey).toString('base64')}\n${origin}\n${note}`
    const known = this.checkpoints.get(key)
    if (known !== undefined) return known
    const opened = openSourceCheckpoint(note, origin, source, witnesses.map((w) => w.verifier), this.init.policy ?? 'ed25519-only')
    if (this.checkpoints.size >= CHECKPOINT_CACHE_SIZE) this.checkpoints.delete(this.checkpoints.keys().next().value as string)
    this.checkpoints.set(key, opened)
    return opened
  }

  /**
   * Cosignature verifiers of the source's witnesses: its witness set under the manifest's policy,
   * else every other active member (docs/LOG.md §Witness sets), built once per set of members.
   */
  private witnessVerifiers (sourcePeerId: string): Array<{ member: Member, verifier: NoteVerifier }> {
    const manifest = this.c.federation.current().manifest
    const active = this.c.federation.activeMembers()
    const key = `${manifest.serial}\n${active.map((m) => `${m.peerId}=${Buffer.from(m.publicKey).toString('base64')}`).join(',')}`
    if (this.witnessCache?.key !== key) this.witnessCache = { key, bySource: new Map() }
    let out = this.witnessCache.bySource.get(sourcePeerId)
    if (out === undefined) {
      const assigned = new Set(logWitnesses(manifest, sourcePeerId).map((m) => m.peerId))
      const members = manifest.witnessing === undefined ? active : active.filter((m) => assigned.has(m.peerId))
      const source = this.c.federation.member(sourcePeerId)?.identity ?? sourcePeerId
      // Each witness under its stable name, with every key of its history for that key's period.
      out = members.filter((m) => m.identity !== source).flatMap((m) =>
        witnessKeyHistory(this.init.federationId, m).map((w) => ({
          member: m,
          verifier: witnessNoteVerifiers({ name: w.name, ed25519: w.ed25519, ...(w.validFrom === undefined ? {} : { validFrom: w.validFrom }), ...(w.validTo === undefined ? {} : { validTo: w.validTo }) })[0] as NoteVerifier
        }))
      )
      this.witnessCache.bySource.set(sourcePeerId, out)
    }
    return out
  }

  /** Registry answers for results whose issuer is not the source (mergers), by offering and day. */
  private async successions (served: readonly lifelong.results.IServedResult[], holder: string): Promise<Map<string, OfferingInfo | undefined>> {
    const out = new Map<string, OfferingInfo | undefined>()
    const catalogue = this.c.catalogue
    if (catalogue === undefined) return out
    const wanted = new Set<string>()
    for (const r of served) {
      try {
        // Decoded only to know what to ask the registry; the decision is made after verification.
        const record = lifelong.results.ResultRecord.decode(lifelong.envelope.SignedEnvelope.decode(r.envelope ?? new Uint8Array()).payload)
        if (record.issuer?.organisationNumber !== holder && record.offeringId !== '') wanted.add(`${record.offeringId}@${record.achievedOn}`)
      } catch { /* verification will flag it */ }
    }
    await Promise.all([...wanted].map(async (k) => {
      const [id, day] = k.split('@') as [string, string]
      try {
        out.set(k, await catalogue.find(id, day))
      } catch {
        out.set(k, undefined)
      }
    }))
    return out
  }

  /**
   * The learner's access log at each source, merged newest first. Sources that fail are
   * reported. Limited per learner like {@link fetch}.
   * @throws LifelongError PORTAL_FAN_OUT_RATE_LIMITED (rate-limited)
   */
  async accessLogs (subject: SubjectId, sources: readonly ResultSource[], why: Purpose): Promise<{ rows: Array<lifelong.results.IAccessLogRow & { source: string }>, failed: string[] }> {
    const same = [why.legalBasis, ...sources.map((s) => `${s.organisationNumber}=${s.peerIds.join(',')}`).sort()]
    const logs = await this.gate.run([subject.scheme, subject.value, why.purpose], same, async () => await this.accessLogsNow(subject, sources, why))
    return { rows: [...logs.rows], failed: [...logs.failed] }
  }

  private async accessLogsNow (subject: SubjectId, sources: readonly ResultSource[], why: Purpose): Promise<{ rows: Array<lifelong.results.IAccessLogRow & { source: string }>, failed: string[] }> {
    const rows: Array<lifelong.results.IAccessLogRow & { source: string }> = []
    const failed: string[] = []
    await Promise.all(sources.map(async (s) => {
      const member = this.member(s)
      if (member === undefined) {
        failed.push(s.name)
        return
      }
      try {
        const res = await this.c.client.call(member.peerId, GetAccessLog, { subject, limit: 100 }, { ...why, deadlineMs: this.init.deadlineMs })
        for (const r of res.rows ?? []) rows.push({ ...r, source: member.name })
      } catch {
        failed.push(member.name)
      }
    }))
    rows.sort((a, b) => Number(b.atMs) - Number(a.atMs))
    return { rows, failed }
  }
}

/**
 * Until the national index is wired into the portal: every institution in the manifest is a
 * possible source. Each is asked, and each logs the request; only the ones that know the
 * learner answer with results. The index replaces this (fewer reads, nobody asked needlessly).
 */
export function everyInstitution (federation: Federation): SourceDirectory {
  return {
    async find () {
      const byOrg = new Map<string, ResultSource>()
      for (const m of federation.activeMembers()) {
        if (!m.roles.includes('institution')) continue
        const s = byOrg.get(m.organisationNumber) ?? { organisationNumber: m.organisationNumber, name: m.name, peerIds: [] }
        s.peerIds.push(m.peerId)
        byOrg.set(m.organisationNumber, s)
      }
      return [...byOrg.values()]
    }
  }
}
