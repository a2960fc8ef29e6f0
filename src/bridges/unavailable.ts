/**
 * Stand-ins for the bridge ports while the portal (issue 6) and the learner index (issue 5) are
 * not wired on this node: every call refuses with a clear code, so the bridges' routes exist
 * and say why they cannot serve, instead of pretending.
 */
import { LifelongError } from '../errors.ts'
import type { AccessLog, EvidenceFetcher, LearnerSessions, PersonMatcher, VerifiedResults } from './ports.ts'

export const unavailableSessions: LearnerSessions = {
  async learnerOf () { return undefined },
  async requireSignIn (_request, reply) {
    await reply.status(503).header('retry-after', '3600').send({ code: 'PORTAL_SIGN_IN_UNAVAILABLE', message: 'learner sign-in is not available on this node' })
  }
}

export const unavailableResults: VerifiedResults = {
  async forLearner () { throw new LifelongError('unavailable', 'PORTAL_RESULTS_UNAVAILABLE', 'verified results are not available on this node') }
}

export const unavailableMatcher: PersonMatcher = {
  async match () { throw new LifelongError('unavailable', 'INDEX_MATCH_UNAVAILABLE', 'the learner index is not reachable from this node') }
}

export const unavailableEvidence: EvidenceFetcher = {
  async fetch () { throw new LifelongError('unavailable', 'EVIDENCE_UNAVAILABLE', 'evidence cannot be fetched from the sources') }
}

/** With no portal access log wired, exchanges are still kept in the bridge's own exchange log. */
export const noAccessLog: AccessLog = {
  async record () {}
}
