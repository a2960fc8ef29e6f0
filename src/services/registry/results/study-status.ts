/**
 * Protocol /lifelong/finance/1.0.0: the finance node (Lånekassen) asks an institution node, for
 * up to 500 learners in one request, where each is enrolled in a term with which study load and
 * how many credits they passed in a period. Only the finance role may call it, with its purpose
 * and legal basis (src/core/federation/consumer-rights.ts, checked by the framework and again
 * here); every learner the answer is about gets a read record in their access log here, as a
 * GetResults read does.
 */
import { lifelong } from '../../../core/gen/proto.js'
import { LifelongError } from '../../../core/errors.ts'
import { protoCodec, type Method, type RequestContext } from '../../../net/rpc/method.ts'
import type { RpcServer } from '../../../net/rpc/server.ts'
import { consumerRequestRefusal } from '../../../core/federation/consumer-rights.ts'
import type { EnrolmentRegister } from './enrolments.ts'
import type { ResultRegistry } from './registry.ts'

export const FINANCE_PROTOCOL = '/lifelong/finance/1.0.0'
/** Learners in one request. */
export const MAX_STUDY_STATUS_QUERIES = 500

export const GetStudyStatus: Method<lifelong.finance.IGetStudyStatusRequest, lifelong.finance.IGetStudyStatusResponse> = {
  protocol: FINANCE_PROTOCOL,
  type: 'lifelong.finance.GetStudyStatus',
  request: protoCodec(lifelong.finance.GetStudyStatusRequest),
  response: protoCodec(lifelong.finance.GetStudyStatusResponse),
  roles: ['finance'],
  personalData: true
}

/** Serves GetStudyStatus from the institution's enrolments and results. */
export function serveStudyStatus (server: RpcServer, enrolments: EnrolmentRegister, registry: ResultRegistry, now: () => number = Date.now): void {
  server.handle(GetStudyStatus, async (req, ctx: RequestContext) => {
    const refusal = consumerRequestRefusal(ctx.caller.roles.filter((r) => r === 'finance'), GetStudyStatus.type, ctx.purpose, ctx.legalBasis)
    if (refusal !== undefined) throw new LifelongError('forbidden', 'RESULTS_PURPOSE_REFUSED', refusal.message)
    const queries = req.queries ?? []
    if (queries.length > MAX_STUDY_STATUS_QUERIES) throw new LifelongError('invalid', 'RESULTS_TOO_MANY_IDS', `at most ${MAX_STUDY_STATUS_QUERIES} learners in one request`)
    // Every query is checked before anything is read or logged.
    const answers = await Promise.all(queries.map(async (q) => await enrolments.studyStatus(q)))
    await Promise.all(answers.map(async (a) => {
      if (a.localId === undefined) return
      await registry.recordAccess({
        localId: a.localId,
        requestId: Buffer.from(ctx.requestId, 'hex'),
        organisationNumber: ctx.caller.organisationNumber,
        peerId: ctx.caller.peerId,
        operation: 'finance.study-status',
        purpose: ctx.purpose,
        legalBasis: ctx.legalBasis,
        atMs: now(),
        results: a.resultIds?.length ?? 0,
        role: 'finance'
      })
    }))
    return { answers: answers.map(({ localId: _l, ...a }) => a) }
  })
}
