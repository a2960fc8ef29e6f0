/**
 * Protocol /lifelong/results/1.0.0: the portal asks an institution node for a learner's results
 * and for who read them. Declared once, used by the source (server) and the portal (client).
 * Both methods touch personal data, so the framework requires purpose and legal basis before
 * the handler runs; only the portal role may call them, and the admission service GetResults for
 * its one purpose (least privilege: institutions never read each other's results, the index never
 * reads results at all; src/core/federation/consumer-rights.ts).
 */
import { lifelong } from '../../../core/gen/proto.js'
import { protoCodec, type Method } from '../../../net/rpc/method.ts'

export const RESULTS_PROTOCOL = '/lifelong/results/1.0.0'
const pb = lifelong.results

/** A learner's results, each signed by the source with its inclusion proof and the latest checkpoint. */
export const GetResults: Method<lifelong.results.GetResultsRequest.$Properties, lifelong.results.GetResultsResponse.$Properties> = {
  protocol: RESULTS_PROTOCOL,
  type: 'lifelong.results.GetResults',
  request: protoCodec(pb.GetResultsRequest),
  response: protoCodec(pb.GetResultsResponse),
  // The admission service reads diplomas to score applicants (purpose admission.scoring only).
  roles: ['portal', 'admission'],
  personalData: true
}

/** The reads of a learner's results at the source, for the learner's "who saw my data". */
export const GetAccessLog: Method<lifelong.results.GetAccessLogRequest.$Properties, lifelong.results.GetAccessLogResponse.$Properties> = {
  protocol: RESULTS_PROTOCOL,
  type: 'lifelong.results.GetAccessLog',
  request: protoCodec(pb.GetAccessLogRequest),
  response: protoCodec(pb.GetAccessLogResponse),
  roles: ['portal'],
  personalData: true
}

/** Purposes the source accepts, each with the legal bases that may go with it. */
export const ACCEPTED_PURPOSES: Readonly<Record<string, readonly string[]>> = {
  // The learner signed in to see their own results (the portal's public task, forskrift om Vitnemålsportalen).
  'portal.own-results': ['gdpr-6-1-e', 'gdpr-6-1-c'],
  // Someone opened a share that the learner created (the learner's consent).
  'portal.share-view': ['gdpr-6-1-a'],
  // The learner hands picked results on from the portal (consent).
  'portal.transfer': ['gdpr-6-1-a'],
  // The learner sends results to an EMREX client (a foreign institution), started and confirmed by them (consent; src/services/bridges/emrex).
  'emrex.transfer': ['gdpr-6-1-a'],
  // The learner puts results in their EU digital identity wallet (consent; src/services/bridges/eudi).
  'eudi.wallet-issuance': ['gdpr-6-1-a'],
  // The portal reads them again to keep the status of the wallet credentials it issued current (the same consent; src/services/bridges/eudi).
  'eudi.credential-status': ['gdpr-6-1-a'],
  // A foreign authority's evidence request through OOTS, previewed and approved by the learner (legal obligation, SDG Regulation art. 14).
  'oots.evidence-exchange': ['gdpr-6-1-c'],
  // The learner looks at who read their data.
  'portal.access-log': ['gdpr-6-1-e', 'gdpr-6-1-c']
}
