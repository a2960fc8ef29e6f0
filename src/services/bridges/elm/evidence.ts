/**
 * The evidence an institution hands out for one of its results: the PDF diploma and the ELM 3.2
 * credential that embeds it as its display, validated against the EDC schema and sealed with the
 * institution's key. Used by the source node when the portal asks for evidence (OOTS) and by
 * tests; nothing here stores or logs.
 */
import { randomUUID } from 'node:crypto'
import { ValidationError } from '../../../core/errors.ts'
import type { SigningKey } from '../../../core/crypto/ed25519.ts'
import type { LearnerFacts, Localised, ResultFacts } from '../../../core/bridges/model.ts'
import { elmCredential, type ElmCredential } from './credential.ts'
import { createElmSchemaValidator, type ElmSchemaValidator } from './schema.ts'
import { didKeyFromEd25519, sealElm } from './seal.ts'

export interface EvidenceBuilderComponents {
  /** The institution's signing key (the node key of an institution node). */
  key: SigningKey
  now?: () => number
  /** Credential IDs; tests pass a deterministic one. */
  newId?: () => string
}

export interface EvidenceBuilderInit {
  organisationNumber: string
  names: Localised
  country?: string
}

export interface ResultEvidence {
  credentialId: string
  credential: ElmCredential
  /** The sealed credential (JWS compact, `application/vc+jwt`). */
  sealed: string
  pdf: Uint8Array
}

export class EvidenceBuilder {
  private readonly key: SigningKey
  private readonly now: () => number
  private readonly newId: () => string
  private readonly init: EvidenceBuilderInit
  private readonly validate: ElmSchemaValidator
  readonly did: string

  constructor (components: EvidenceBuilderComponents, init: EvidenceBuilderInit) {
    this.key = components.key
    this.now = components.now ?? Date.now
    this.newId = components.newId ?? (() => `urn:uuid:${randomUUID()}`)
    this.init = init
    this.validate = createElmSchemaValidator()
    this.did = didKeyFromEd25519(components.key.publicKeyRaw)
  }

  /** Builds, validates and seals the evidence for one result. */
  async build (learner: LearnerFacts, result: ResultFacts): Promise<ResultEvidence> {
    const credentialId = this.newId()
    const issued = new Date(this.now()).toISOString().replace(/\.\d{3}Z$/, 'Z')
    // pdf-lib (~10 MiB of a node's memory) loads with the first diploma, not when the node starts.
    const { diplomaPdf } = await import('./pdf.ts')
    const pdf = await diplomaPdf(learner, result, { credentialId, issued })
    const credential = elmCredential(learner, result, {
      credentialId,
      issued,
      sealer: { did: this.did, organisationNumber: this.init.organisationNumber, names: this.init.names, country: this.init.country ?? 'NO' },
      display: { pdf }
    })
    const problems = this.validate(credential)
    if (problems.length > 0) throw new ValidationError('ELM_SCHEMA_INVALID', 'the ELM credential does not validate against the EDC schema', problems)
    return { credentialId, credential, sealed: await sealElm(credential, this.key), pdf }
  }
}
