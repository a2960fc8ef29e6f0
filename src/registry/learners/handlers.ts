/**
 * The index side of /lifelong/learners/1.0.0: each handler turns the checked request into an
 * {@link Accessor} (the caller as the manifest lists it, the declared purpose and legal basis,
 * the request id) and makes one registry call. The framework has already checked signature,
 * membership, role, replay and the presence of purpose and legal basis.
 */
import type { RpcServer } from '../../net/rpc/server.ts'
import type { RequestContext } from '../../net/rpc/method.ts'
import type { LearnerRegistry } from './registry.ts'
import type { Accessor } from './model.ts'
import {
  AddIdentifier, CheckEnrolment, FindResultSources, GetOwnData, IssueEducationId, MatchPerson, RegisterIndexEntries, RegisterLearners, ResolveIdentity
} from './protocol.ts'

/** The accessor of a signed request. */
export function accessorOf (ctx: RequestContext): Accessor {
  return {
    organisationNumber: ctx.caller.organisationNumber,
    peerId: ctx.caller.peerId,
    peerIdBytes: ctx.caller.peerIdBytes,
    requestId: Buffer.from(ctx.requestId, 'hex'),
    purpose: ctx.purpose,
    legalBasis: ctx.legalBasis,
    channel: 'rpc'
  }
}

/** Serves every learner method on `server` from `registry`. */
export function serveLearnerMethods (server: RpcServer, registry: LearnerRegistry): void {
  server.handle(RegisterLearners, async (req, ctx) => ({ outcomes: await registry.registerLearners(req.learners ?? [], accessorOf(ctx)) }))
  server.handle(IssueEducationId, async (req, ctx) => await registry.issueEducationId(req.person, req.idempotencyKey ?? '', req.allowPossibleDuplicate === true, accessorOf(ctx)))
  server.handle(AddIdentifier, async (req, ctx) => await registry.addIdentifier(req.learner, req.identifier, req.replaces, accessorOf(ctx)))
  server.handle(ResolveIdentity, async (req, ctx) => await registry.resolve(req.identifier, accessorOf(ctx)))
  server.handle(MatchPerson, async (req, ctx) => ({ candidates: await registry.match(req, accessorOf(ctx)) }))
  server.handle(RegisterIndexEntries, async (req, ctx) => await registry.registerIndexEntries(req.pointers ?? [], req.enrolments ?? [], accessorOf(ctx)))
  server.handle(FindResultSources, async (req, ctx) => await registry.findResultSources(req.learner, accessorOf(ctx)))
  server.handle(CheckEnrolment, async (req, ctx) => await registry.checkEnrolment(req.learner, { institution: req.institution, offeringId: req.offeringId, asOf: req.asOf }, accessorOf(ctx)))
  server.handle(GetOwnData, async (req, ctx) => {
    const own = await registry.ownData(req.subject, { accessLogLimit: req.accessLogLimit ?? 0, accessLogBeforeMs: Number(req.accessLogBeforeMs ?? 0) }, accessorOf(ctx))
    return { learner: own.learner, mergedFrom: own.mergedFrom, sources: own.sources, enrolments: own.enrolments, accessLog: own.accessLog }
  })
}
