/**
 * What the bridges (EMREX/ELMO, European Learning Model, SD-JWT VC wallet credentials, OOTS
 * evidence) translate from: a learner and their results as the portal has verified them,
 * flattened into plain facts. The portal builds this view from signed results it fetched and
 * checked (signatures, inclusion proofs, cosigned checkpoints); every bridge reads only this
 * model, so each can be built and tested on its own, and none needs to know how results travel.
 *
 * Texts are localised (`nb`, `nn`, `en`, …); dates are ISO 8601 calendar dates (`YYYY-MM-DD`)
 * in Norwegian time; credits are ECTS numbers (7.5, not tenths).
 */

/** A text in several languages, keyed by ISO 639-1 code. At least one entry. */
export type Localised = Readonly<Record<string, string>>

export type LearnerIdentifierScheme =
  | 'no:fnr' // Norwegian national identity number (fødselsnummer)
  | 'no:dnr' // D-number
  | 'no:education-id' // the index's education ID for people with no Norwegian number
  | 'esi' // European Student Identifier, urn:schac:personalUniqueCode:int:esi:…
  | 'foreign' // a foreign national identifier, with its country

export interface LearnerIdentifier {
  readonly scheme: LearnerIdentifierScheme
  readonly value: string
  /** ISO 3166-1 alpha-2, for foreign identifiers. */
  readonly country?: string
}

export interface LearnerFacts {
  readonly givenNames: string
  readonly familyName: string
  /** As the population register or the source gives it; never derived from an identifier. */
  readonly birthDate?: string
  readonly identifiers: readonly LearnerIdentifier[]
  /** ISO 3166-1 alpha-2. */
  readonly citizenship?: readonly string[]
}

/** An issuing institution as it was when it issued a result. */
export interface IssuerFacts {
  /** The registry's national institution ID. */
  readonly institutionId: string
  readonly organisationNumber: string
  readonly names: Localised
  /** ISO 3166-1 alpha-2; `NO` for Norwegian institutions. */
  readonly country: string
  /** Other codes the institution is known by. */
  readonly codes?: {
    /** DBH institution code, 4 digits. */
    readonly dbh?: string
    /** FS institution number, 3 digits. */
    readonly fs?: string
    /** SCHAC home organisation, e.g. `uio.no` (EMREX, Erasmus Without Paper). */
    readonly schac?: string
    /** Erasmus code, e.g. `N  OSLO01`. */
    readonly erasmus?: string
  }
  readonly homepage?: string
  /** Who the institution is today, if it has merged into or been renamed to another. */
  readonly successor?: IssuerFacts
}

export type ResultKind =
  | 'course-result'
  | 'diploma' // a higher-education diploma (bachelor, master, PhD) with its parts
  | 'qualification' // another qualification with parts
  | 'upper-secondary-diploma' // vitnemål from upper secondary
  | 'upper-secondary-certificate' // kompetansebevis
  | 'trade-certificate' // fag-/svennebrev
  | 'micro-credential'
  | 'recognition' // recognition decision of foreign education
  | 'lower-secondary-certificate' // vitnemål from lower secondary (final grades)
  | 'language-test' // Norskprøven: a CEFR level per skill
  | 'civics-test' // the social studies test (samfunnskunnskapsprøven)
  | 'authorisation' // an authority's authorisation (e.g. to practise a health profession)
  | 'certificate' // a certificate, e.g. of a non-formal course

export type GradingScale = 'A-F' | 'pass-fail' | '1-6' | 'trade-certificate' | 'CEFR'

export interface GradeFacts {
  readonly scale: GradingScale
  /** `A`…`F`, `passed`/`failed`, `1`…`6`, `passed-with-distinction`/`passed`/`failed`. */
  readonly value: string
  /** Upper secondary has a standpunkt (coursework) and an exam grade per subject. */
  readonly component?: 'final' | 'standpunkt' | 'exam-written' | 'exam-oral' | 'exam-practical' | 'reading' | 'listening' | 'writing' | 'oral'
  /** Whether the grade is a pass on its scale. */
  readonly passed: boolean
}

export type ResultStatus = 'valid' | 'corrected' | 'annulled'

export interface ResultFacts {
  /** Stable ID of the result at its source, never reused. */
  readonly id: string
  /** 1, 2, … : corrections and annulments are new versions. */
  readonly version: number
  readonly status: ResultStatus
  readonly kind: ResultKind
  readonly title: Localised
  /** The registry's national offering ID this result is for, if any (recognitions have none). */
  readonly offeringId?: string
  /** The institution's own code, e.g. `INF1000` or `BAHF-NOFI`. */
  readonly localCode?: string
  readonly issuer: IssuerFacts
  /** The date the result was achieved (exam, award, decision). */
  readonly achievedOn: string
  /** The date the source recorded (issued) it. */
  readonly issuedOn: string
  /** `2024H` (autumn) or `2025V` (spring). */
  readonly term?: string
  /** The grade(s); upper-secondary subjects may carry several components. */
  readonly grades: readonly GradeFacts[]
  readonly credits?: { readonly value: number, readonly scheme: 'ECTS' }
  /** NKR level: `2`…`8`, `5.1`, `5.2`. */
  readonly nkrLevel?: string
  /** Derived from the NKR level. */
  readonly eqfLevel?: number
  /** ISCED-F 2013 field code. */
  readonly iscedF?: string
  /** ISO 639-1 languages of instruction or assessment. */
  readonly languages?: readonly string[]
  readonly learningOutcomes?: Localised
  /** Micro-credentials (Council Recommendation 2022/C 243/02, Annex I). */
  readonly microCredential?: {
    readonly workloadHours?: number
    readonly assessment?: string
    readonly participation?: 'online' | 'onsite' | 'blended'
    readonly supervisedAssessment?: boolean
    readonly qualityAssurance?: string
    readonly prerequisites?: string
    readonly stackable?: boolean
  }
  /** Recognition decisions of foreign education. */
  readonly recognition?: {
    readonly foreignInstitution: string
    /** ISO 3166-1 alpha-2. */
    readonly country: string
    readonly foreignTitle: string
    /** What it is recognised as, e.g. "Bachelor's degree, 180 ECTS, NKR level 6". */
    readonly recognisedAs: Localised
    readonly decidedBy: string
    readonly decisionReference?: string
  }
  /** Parts of a diploma or qualification (course results, subjects), in order. */
  readonly parts?: readonly ResultFacts[]
  /** What the portal checked before handing the result on. */
  readonly verification: {
    /** Peer ID of the source node whose key signed the result. */
    readonly sourcePeerId: string
    /** The result's index in the source's Merkle log and the checkpoint it was proved against. */
    readonly logIndex: number
    readonly checkpointSize: number
    /** Number of witnesses whose cosignatures on that checkpoint verified. */
    readonly witnesses: number
  }
}

/** A learner and the results they chose to hand on, as of `generatedAt` (ISO 8601 time). */
export interface LearnerResults {
  readonly learner: LearnerFacts
  readonly results: readonly ResultFacts[]
  readonly generatedAt: string
}
