/**
 * What EMREX needs from the portal, as a small interface: who is signed in, where to sign in, the
 * learner's verified results, and the learner-visible access log. The portal (issue 6) implements
 * it over its OIDC session, its fan-out and its access log; until then the development portal in
 * `dev/` does, with sample learners, clearly marked.
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import type { LearnerResults } from '../model.ts'

/** The signed-in learner as EMREX sees them. */
export interface EmrexLearner {
  /** The portal's opaque, stable learner ID: never a national ID (it appears in storage keys). */
  readonly learnerId: string
  readonly givenNames: string
  readonly familyName: string
  /** From the population register (or the identity provider); required to match imported ELMO. */
  readonly birthDate?: string
}

/** One entry of the learner's access log ("who saw my data"). */
export interface EmrexAccess {
  /** The receiving organisation (the EMREX client). */
  readonly organisation: string
  readonly country?: string
  readonly purpose: string
  readonly legalBasis: string
  /** IDs of the results handed over. */
  readonly resultIds: readonly string[]
  /** Unix ms. */
  readonly at: number
  /** The transfer's ID (opaque), to find the evidence record. */
  readonly transferId: string
}

export interface EmrexPortal {
  /** The portal's name, shown to learners and in the PDF transcript. */
  readonly name: string
  /** The learner signed in on this request, if any. */
  currentLearner: (request: FastifyRequest) => Promise<EmrexLearner | undefined>
  /** A path on this node that signs the learner in and then returns to `returnTo` (a path). */
  signInPath: (returnTo: string) => string
  /** The learner's results as the portal verified them. */
  learnerResults: (learner: EmrexLearner) => Promise<LearnerResults>
  /** Adds an entry to the learner's access log. */
  recordAccess: (learner: EmrexLearner, access: EmrexAccess) => Promise<void>
  /** Routes the portal side needs (the development sign-in), if any. */
  readonly routes?: FastifyPluginAsync
}
