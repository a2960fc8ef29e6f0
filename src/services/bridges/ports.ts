/**
 * What the cross-border bridges (EMREX, EUDI wallet issuance, OOTS evidence) need from the rest
 * of the node, as small interfaces: the portal's learner sign-in, its verified results and the
 * learner's access log, the index's eIDAS match, and the source nodes' evidence; and what the
 * portal shows of a bridge (foreign results imported with EMREX). The composition root
 * (`src/wiring/`) wires the real implementations; tests pass their own.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { LearnerResults } from '../../core/bridges/model.ts'

/** Why personal data is read: every call carries it, and it ends up in the learner's access log. */
export interface Purpose {
  purpose: string
  legalBasis: string
}

/**
 * A learner signed in at the portal: the index's opaque learner ID (never a national ID), and
 * the names and birth date the sign-in gave (OIDC `given_name`, `family_name`, `birthdate`),
 * which EMREX writes into ELMO and matches imported documents against (implementation guide §4.4).
 */
export interface SignedInLearner {
  learnerId: string
  givenNames?: string
  familyName?: string
  /** `YYYY-MM-DD`, when the identity provider gives it. */
  birthDate?: string
}

/** The portal's sessions (issue 6): who is signed in on this request, and where to sign in. */
export interface LearnerSessions {
  /** The signed-in learner, or undefined. */
  learnerOf(request: FastifyRequest): Promise<SignedInLearner | undefined>
  /** Sends the browser to sign in and come back to `returnTo` (a path on this node). */
  requireSignIn(request: FastifyRequest, reply: FastifyReply, returnTo: string): Promise<void>
}

/** The portal's verified view of a learner's results (issue 6: fetched from the sources, signatures and proofs checked). */
export interface VerifiedResults {
  forLearner(learnerId: string, why: Purpose): Promise<LearnerResults>
}

/** One row for the learner's access log: which organisation did what with their data, when and why. */
export interface AccessEntry {
  at: number
  /** The organisation that read or received the data (e.g. a foreign university through OOTS). */
  organisation: string
  /** Its identifier, e.g. `urn:cef.eu:names:identifier:EAS:0190:NL222332239`. */
  organisationId?: string
  operation: string
  purpose: string
  legalBasis: string
  /** Identifier to quote when asking about the exchange. */
  reference: string
}

/** The learner-visible access log (issue 6 keeps it; the bridges add their exchanges). */
export interface AccessLog {
  record(learnerId: string, entry: AccessEntry): Promise<void>
}

/** The eIDAS minimum data set of a natural person, as an OOTS request carries it. */
export interface EidasPerson {
  /** The eIDAS unique identifier `CC/CC/…`, if given. */
  identifier?: { value: string, scheme?: string }
  familyName: string
  givenName: string
  /** `YYYY-MM-DD`. */
  dateOfBirth: string
}

/** The index's person match (issue 5): zero, one or several candidates; a caller never picks among several. */
export interface PersonMatcher {
  match(person: EidasPerson, why: Purpose): Promise<Array<{ learnerId: string, matchedOn: string[] }>>
}

/** A result to fetch evidence for, as the portal's verified view names it. */
export interface EvidenceRef {
  sourcePeerId: string
  resultId: string
  version: number
}

/** Evidence documents from the institution that holds a result: the sealed ELM credential and the PDF. */
export interface EvidenceDocuments {
  ref: EvidenceRef
  credentialId: string
  /** JWS compact of the ELM 3.2 credential (`application/vc+jwt`). */
  sealedElm: string
  pdf: Uint8Array
  /** The issuing authority as the evidence names it. */
  issuer: { organisationNumber: string, name: string, country: string }
  issuedOn: string
}

/** The source nodes' evidence (the `/lifelong/evidence/1.0.0` protocol). */
export interface EvidenceFetcher {
  fetch(learnerId: string, refs: readonly EvidenceRef[], why: Purpose, signal?: AbortSignal): Promise<EvidenceDocuments[]>
}

/** One result of an imported foreign document, as the portal lists it. */
export interface ForeignResultLine {
  title: string
  /** The language of the title (a BCP 47 tag, as the provider marked it), if it said. */
  lang?: string
  /** The foreign grade as the provider printed it. */
  grade?: string
  /** `7.5 ECTS`. */
  credits?: string
  /** The ECTS credits as a number, for pages to write in their own way (7,5). */
  ects?: number
  date?: string
}

/**
 * Results a learner imported from abroad (EMREX client): not federation results, so not verified
 * by the federation; their provider's signature was checked against its registered certificate.
 */
export interface ForeignResultsImport {
  importId: string
  provider: { name: string, country: string }
  /** Unix ms. */
  receivedAt: number
  /** The issuing institutions the document names. */
  issuers: string[]
  results: ForeignResultLine[]
  /** A page on this node with the import's provenance (signature, certificate, warnings). */
  link: string
  warnings: number
}

/** The learner's imported foreign results (the EMREX client keeps them). */
export interface ForeignResults {
  forLearner(learnerId: string): Promise<ForeignResultsImport[]>
}
