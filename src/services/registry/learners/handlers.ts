/**
 * The index side of /lifelong/learners/1.0.0: each handler turns the checked request into an
 * {@link Accessor} (the caller as the manifest lists it, the declared purpose and legal basis,
 * the request id) and makes one registry call. The framework has already checked signature,
 * membership, role, replay and the presence of purpose and legal basis.
 */
import type { RpcServer } from '../../../net/rpc/server.ts'
import type { Method, RequestContext } from '../../../net/rpc/method.ts'
import type { LearnerRegistry } from './registry.ts'
import type { Accessor, CallerRole } from './model.ts'
import { isConsumerRole } from '../../../core/federation/roles.ts'
import {
  AddIdentifier,
  CheckEnrolment,
  FindResultSources,
  GetOwnData,
  IssueEducationId,
  MatchPerson,
  RegisterIndexEntries,
  RegisterLearners,
  ResolveIdentity
} from './protocol.ts'

/**
 * The capacity a member calls a method in: its roles in the manifest that the method allows,
 * the operator's if one is `index` (the operator runs the index nodes), else `institution`
 * before `portal`; a consumer (admission, finance) runs alone, so it is its one role.
 */
export function callerRole (ctx: RequestContext, method: Pick<Method<unknown, unknown>, 'roles'>): CallerRole {
  const allowed = method.roles === 'any-member' ? ctx.caller.roles : ctx.caller.roles.filter((r) => (method.roles as readonly string[]).includes(r))
  if (allowed.includes('index')) return 'operator'
  if (allowed.includes('institution')) return 'institution'
  const consumer = allowed.find(isConsumerRole)
  return consumer ?? 'portal'
}

/** The accessor of a signed request to `method`. */
export function accessorOf (ctx: RequestContext, method: Pick<Method<unknown, unknown>, 'roles'>): Accessor {
  return {
    organisationNumber: ctx.caller.organisationNumber,
    peerId: ctx.caller.peerId,
    peerIdBytes: ctx.caller.peerIdBytes,
    requestId: Buffer.from(ctx.requestId, 'hex'),
    purpose: ctx.purpose,
    legalBasis: ctx.legalBasis,
    channel: 'rpc',
    role: callerRole(ctx, method),
    callerName: ctx.caller.name
  }
}

/** Serves every learner method on `server` from `registry`. */
export function serveLearnerMethods (server: RpcServer, registry: LearnerRegistry): void {
  server.handle(RegisterLearners, async (req, ctx) => ({ outcomes: await registry.registerLearners(req.learners ?? [], accessorOf(ctx, RegisterLearners)) }))
  server.handle(IssueEducationId, async (req, ctx) => await registry.issueEducationId(req.person, req.idempotencyKey ?? '', req.allowPossibleDuplicate === true, accessorOf(ctx, IssueEducationId)))
  server.handle(AddIdentifier, async (req, ctx) => await registry.addIdentifier(req.learner, req.identifier, req.replaces, accessorOf(ctx, AddIdentifier)))
  server.handle(ResolveIdentity, async (req, ctx) => await registry.resolve(req.identifier, accessorOf(ctx, ResolveIdentity)))
  server.handle(MatchPerson, async (req, ctx) => ({ candidates: await registry.match(req, accessorOf(ctx, MatchPerson)) }))
  server.handle(RegisterIndexEntries, async (req, ctx) => await registry.registerIndexEntries(req.pointers ?? [], req.enrolments ?? [], accessorOf(ctx, RegisterIndexEntries)))
  server.handle(FindResultSources, async (req, ctx) => await registry.findResultSources(req.learner, accessorOf(ctx, FindResultSources)))
  server.handle(CheckEnrolment, async (req, ctx) => await registry.checkEnrolment(req.learner, { institution: req.institution, offeringId: req.offeringId, asOf: req.asOf }, accessorOf(ctx, CheckEnrolment)))
  server.handle(GetOwnData, async (req, ctx) => {
    const own = await registry.ownData(req.subject, { accessLogLimit: req.accessLogLimit ?? 0, accessLogBeforeMs: Number(req.accessLogBeforeMs ?? 0) }, accessorOf(ctx, GetOwnData))
    return { learner: own.learner, mergedFrom: own.mergedFrom, sources: own.sources, enrolments: own.enrolments, accessLog: own.accessLog }
  })
}
