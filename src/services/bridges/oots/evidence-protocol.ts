/**
 * `/lifelong/evidence/1.0.0`: the portal asks the institution that holds a result for its
 * evidence (the sealed ELM credential and the PDF). The institution builds both from its own
 * records ({@link InstitutionResults}, the results registry) and seals with its own key, so the
 * portal never holds or forges an institution's seal. Every answer is an entry in the
 * institution's log (`bridges.evidence-issued`, keyed by the credential ID, no personal data).
 */
import { lifelong } from '../../../core/gen/proto.js'
import { LifelongError } from '../../../core/errors.ts'
import { protoCodec, type Method } from '../../../net/rpc/method.ts'
import type { RpcClient } from '../../../net/rpc/client.ts'
import type { RpcServer } from '../../../net/rpc/server.ts'
import type { Logger } from '../../../core/observability/logger.ts'
import type { LogEntryInput } from '../../../store/log/store.ts'
import type { LogWriter } from '../../../store/log/unit-of-work.ts'
import type { LearnerResults } from '../../../core/bridges/model.ts'
import type { EvidenceDocuments, EvidenceFetcher, EvidenceRef, Purpose } from '../ports.ts'
import type { EvidenceBuilder } from '../elm/evidence.ts'

export const GetEvidence: Method<lifelong.evidence.IGetEvidenceRequest, lifelong.evidence.IGetEvidenceResponse> = {
  protocol: '/lifelong/evidence/1.0.0',
  type: 'lifelong.evidence.GetEvidence',
  request: protoCodec(lifelong.evidence.GetEvidenceRequest),
  response: protoCodec(lifelong.evidence.GetEvidenceResponse),
  roles: ['portal'],
  personalData: true
}

/** The institution's own records of a learner's results (the results registry implements it). */
export interface InstitutionResults {
  forLearner(learnerId: string, resultIds: readonly string[]): Promise<LearnerResults>
}

export interface EvidenceServiceComponents {
  server: RpcServer
  builder: EvidenceBuilder
  results: InstitutionResults
  log: LogWriter
  logger: Logger
}

/** The institution side as a part of its node: serves GetEvidence once started. */
export class EvidenceService {
  readonly name = 'evidence'
  private readonly c: EvidenceServiceComponents

  constructor (components: EvidenceServiceComponents) {
    this.c = components
  }

  /** Registers the GetEvidence handler. */
  start (): void {
    serveEvidence(this.c)
  }
}

/** The institution side: serves GetEvidence. */
export function serveEvidence (c: EvidenceServiceComponents): void {
  c.server.handle(GetEvidence, async (request, context) => {
    const learnerId = request.learnerId ?? ''
    const refs = request.results ?? []
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(learnerId) || refs.length === 0 || refs.length > 50) {
      throw new LifelongError('invalid', 'OOTS_EVIDENCE_REQUEST_INVALID', 'a learner ID and 1–50 results are required')
    }
    const mine = await c.results.forLearner(learnerId, refs.map((r) => r.resultId ?? ''))
    const documents: lifelong.evidence.IEvidenceDocument[] = []
    const entries: LogEntryInput[] = []
    for (const ref of refs) {
      const result = mine.results.find((r) => r.id === ref.resultId)
      if (result === undefined) throw new LifelongError('not-found', 'OOTS_EVIDENCE_RESULT_NOT_FOUND', 'no such result of this learner here')
      if (result.version !== ref.version) throw new LifelongError('conflict', 'OOTS_EVIDENCE_VERSION_CHANGED', 'the result has a newer version than the one asked for')
      const evidence = await c.builder.build(mine.learner, result)
      documents.push({
        ref,
        credentialId: evidence.credentialId,
        sealedElm: evidence.sealed,
        pdf: evidence.pdf,
        issuerOrganisationNumber: result.issuer.organisationNumber,
        issuerName: result.issuer.names.nb ?? result.issuer.names.en ?? Object.values(result.issuer.names)[0] ?? '',
        issuerCountry: result.issuer.country,
        issuedOn: result.issuedOn
      })
      entries.push({
        type: 'bridges.evidence-issued',
        key: evidence.credentialId,
        record: new TextEncoder().encode(
          JSON.stringify({
            credentialId: evidence.credentialId,
            resultId: result.id,
            version: result.version,
            requestedBy: context.caller.organisationNumber,
            purpose: context.purpose,
            legalBasis: context.legalBasis,
            requestId: context.requestId
          })
        )
      })
    }
    await c.log.transaction((tx) => {
      for (const e of entries) tx.log(e)
    })
    c.logger.info({ documents: documents.length, requestId: context.requestId }, 'evidence issued')
    return { documents }
  })
}

export interface EvidenceFetcherComponents {
  client: RpcClient
}

/** The portal side: asks each source for its results' evidence, in parallel. */
export function rpcEvidenceFetcher (c: EvidenceFetcherComponents, init: { deadlineMs?: number } = {}): EvidenceFetcher {
  return {
    async fetch (learnerId: string, refs: readonly EvidenceRef[], why: Purpose, signal?: AbortSignal): Promise<EvidenceDocuments[]> {
      const bySource = new Map<string, EvidenceRef[]>()
      for (const r of refs) bySource.set(r.sourcePeerId, [...(bySource.get(r.sourcePeerId) ?? []), r])
      const answers = await Promise.all([...bySource].map(async ([peer, list]) => {
        const res = await c.client.call(peer, GetEvidence, { learnerId, results: list.map((r) => ({ resultId: r.resultId, version: r.version })) }, { ...why, signal, deadlineMs: init.deadlineMs })
        return (res.documents ?? []).map((d): EvidenceDocuments => ({
          ref: { sourcePeerId: peer, resultId: d.ref?.resultId ?? '', version: d.ref?.version ?? 0 },
          credentialId: d.credentialId ?? '',
          sealedElm: d.sealedElm ?? '',
          pdf: d.pdf ?? new Uint8Array(),
          issuer: { organisationNumber: d.issuerOrganisationNumber ?? '', name: d.issuerName ?? '', country: d.issuerCountry ?? 'NO' },
          issuedOn: d.issuedOn ?? ''
        }))
      }))
      return answers.flat()
    }
  }
}
