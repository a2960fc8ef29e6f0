/**
 * Protocol /lifelong/learners/1.0.0: the national index's signed request/response methods.
 * Declared once, used by the index (server) and by institutions and the portal (clients).
 * Every method touches personal data, so the framework requires a purpose and a legal basis
 * before the handler runs; roles are the least each use needs (docs/LEARNER-REGISTRY.md), and the
 * consumer roles (admission, finance) call only within their rights' purposes and legal bases
 * (src/core/federation/consumer-rights.ts).
 */
import { lifelong } from '../../../core/gen/proto.js'
import { protoCodec, type Method } from '../../../net/rpc/method.ts'

export const LEARNERS_PROTOCOL = '/lifelong/learners/1.0.0'
const pb = lifelong.learners

function method<Req, Res> (
  name: string,
  request: { encode: (m: Req) => { finish: () => Uint8Array }, decode: (b: Uint8Array) => Req },
  response: { encode: (m: Res) => { finish: () => Uint8Array }, decode: (b: Uint8Array) => Res },
  roles: Method<Req, Res>['roles']
): Method<Req, Res> {
  return { protocol: LEARNERS_PROTOCOL, type: `lifelong.learners.${name}`, request: protoCodec(request), response: protoCodec(response), roles, personalData: true }
}

/** Institutions (and the index itself) register the learners they know; idempotent. */
export const RegisterLearners: Method<lifelong.learners.RegisterLearnersRequest.$Properties, lifelong.learners.RegisterLearnersResponse.$Properties> = method('RegisterLearners', pb.RegisterLearnersRequest, pb.RegisterLearnersResponse, [
  'institution',
  'index'
])

/** An education ID for a person with no Norwegian national ID. */
export const IssueEducationId: Method<lifelong.learners.IssueEducationIdRequest.$Properties, lifelong.learners.IssueEducationIdResponse.$Properties> = method('IssueEducationId', pb.IssueEducationIdRequest, pb.IssueEducationIdResponse, [
  'institution',
  'index'
])

/** A new identifier for a learner (a fødselsnummer replacing a D-number). */
export const AddIdentifier: Method<lifelong.learners.AddIdentifierRequest.$Properties, lifelong.learners.AddIdentifierResponse.$Properties> = method('AddIdentifier', pb.AddIdentifierRequest, pb.AddIdentifierResponse, [
  'institution',
  'index'
])

/** Which learner an identifier belongs to. */
export const ResolveIdentity: Method<lifelong.learners.ResolveIdentityRequest.$Properties, lifelong.learners.ResolveIdentityResponse.$Properties> = method('ResolveIdentity', pb.ResolveIdentityRequest, pb.ResolveIdentityResponse, [
  'institution',
  'portal',
  'index',
  'admission',
  'finance'
])

/** eIDAS minimum-data-set matching for cross-border requests (OOTS): zero, one or several candidates. */
export const MatchPerson: Method<lifelong.learners.MatchPersonRequest.$Properties, lifelong.learners.MatchPersonResponse.$Properties> = method('MatchPerson', pb.MatchPersonRequest, pb.MatchPersonResponse, ['portal'])

/** Institutions register and withdraw their result-source pointers and enrolments, batched. */
export const RegisterIndexEntries: Method<lifelong.learners.RegisterIndexEntriesRequest.$Properties, lifelong.learners.RegisterIndexEntriesResponse.$Properties> = method(
  'RegisterIndexEntries',
  pb.RegisterIndexEntriesRequest,
  pb.RegisterIndexEntriesResponse,
  ['institution']
)

/** "Where are L's results": the portal, before it fans out to the sources. */
export const FindResultSources: Method<lifelong.learners.FindResultSourcesRequest.$Properties, lifelong.learners.FindResultSourcesResponse.$Properties> = method(
  'FindResultSources',
  pb.FindResultSourcesRequest,
  pb.FindResultSourcesResponse,
  ['portal', 'admission', 'finance']
)

/** "Is L enrolled at X". */
export const CheckEnrolment: Method<lifelong.learners.CheckEnrolmentRequest.$Properties, lifelong.learners.CheckEnrolmentResponse.$Properties> = method('CheckEnrolment', pb.CheckEnrolmentRequest, pb.CheckEnrolmentResponse, [
  'portal',
  'finance'
])

/** The signed-in learner's own data and access log, for the portal's "who saw my data". */
export const GetOwnData: Method<lifelong.learners.GetOwnDataRequest.$Properties, lifelong.learners.GetOwnDataResponse.$Properties> = method('GetOwnData', pb.GetOwnDataRequest, pb.GetOwnDataResponse, ['portal'])

export const LEARNER_METHODS = [RegisterLearners, IssueEducationId, AddIdentifier, ResolveIdentity, MatchPerson, RegisterIndexEntries, FindResultSources, CheckEnrolment, GetOwnData] as const
