/**
 * The admission node (role `admission`, NUCAS): for each applicant of a round it asks the index
 * where their results are and every source for them, verifies every result as the portal does
 * (signature, log inclusion against the source's witnessed checkpoint, subject, issuer), and
 * scores the applicant by the rules of the round's year against the programme's special
 * requirement and kjønnspoeng, which it reads from the offering in the education registry, with
 * the gender and the grounds for additional points the application documents. Every read carries
 * the purpose `admission.scoring` and the legal basis its rights give it
 * (src/core/federation/consumer-rights.ts), and lands in the learner's "who saw my data".
 */
import { LifelongError, toLifelongError } from '../../core/errors.ts'
import type { Logger } from '../../core/observability/logger.ts'
import { rulesFor } from '../../core/admission/rules.ts'
import { STANDARD_REQUIREMENTS, type AdmissionRequirement } from '../../core/admission/requirements.ts'
import { scoreBatch, type Outcome } from '../../core/admission/batch.ts'
import type { ResultFetcher, SourceReport } from '../portal/fetch.ts'
import type { OfferingCatalogue } from '../registry/results/ports.ts'
import { applicantFrom } from './applicant.ts'
import { parseGenderPoints } from '../../core/admission/programme.ts'
import type { AdditionalGrounds, Applicant, ProgrammeTerms } from '../../core/admission/model.ts'

/** Why the admission node reads: its one purpose, on the legal basis its rights give it. */
export const ADMISSION_PURPOSE = { purpose: 'admission.scoring', legalBasis: 'gdpr-6-1-e' } as const

export interface RoundApplicant {
  /** The round's own reference of the applicant (never a national ID). */
  ref: string
  /** The applicant's national ID or education ID, to find their results with. */
  subject: { scheme: 'national-id' | 'education-id', value: string }
  /** From the application, when known (else from the results). */
  birthYear?: number
  /** From the application: legal gender, read only when the programme gives kjønnspoeng. */
  gender?: 'female' | 'male'
  /**
   * Grounds for additional points documented in the application (folkehøgskole, military or
   * civil service, fagskole), each with the reference of its document; credits in higher
   * education come from the verified results instead.
   */
  grounds?: Pick<AdditionalGrounds, 'folkehogskole' | 'military' | 'civilService' | 'fagskole'>
}

export interface Round {
  year: number
  /** The programme's offering ID in the education registry (its special requirement is read from there). */
  programme?: string
  applicants: RoundApplicant[]
}

/** One applicant's outcome with what it was built from. */
export type RoundOutcome = Outcome & {
  /** Each source asked and how it answered. */
  sources: SourceReport[]
  /** Results that failed verification and were left out. */
  flagged: number
}

export interface AdmissionComponents {
  fetcher: ResultFetcher
  catalogue: OfferingCatalogue
  logger: Logger
  now?: () => number
}

export interface AdmissionInit {
  /** Applicants gathered at once. */
  concurrency: number
  /** Applicants in one round request. */
  maxApplicants: number
}

export class AdmissionModule {
  readonly name = 'admission'
  private readonly c: AdmissionComponents
  private readonly init: AdmissionInit

  constructor (components: AdmissionComponents, init: AdmissionInit) {
    this.c = components
    this.init = init
  }

  /**
   * The special requirement of a programme, from its offering in the registry on `date`.
   * @throws LifelongError ADMISSION_PROGRAMME_UNKNOWN, ADMISSION_REQUIREMENT_UNKNOWN
   */
  async requirementOf (programme: string, date: string): Promise<AdmissionRequirement> {
    return (await this.programmeOf(programme, date)).requirement
  }

  /**
   * The special requirement and the terms (kjønnspoeng) of a programme, from its offering in the
   * registry on `date`.
   * @throws LifelongError ADMISSION_PROGRAMME_UNKNOWN, ADMISSION_REQUIREMENT_UNKNOWN
   */
  async programmeOf (programme: string, date: string): Promise<{ requirement: AdmissionRequirement, terms: ProgrammeTerms }> {
    const offering = await this.c.catalogue.find(programme, date)
    if (offering === undefined) throw new LifelongError('not-found', 'ADMISSION_PROGRAMME_UNKNOWN', `the registry has no offering ${programme.slice(0, 20)} on ${date}`)
    const code = offering.admissionRequirement ?? 'GENS'
    const requirement = Object.hasOwn(STANDARD_REQUIREMENTS, code) ? STANDARD_REQUIREMENTS[code] : undefined
    if (requirement === undefined) throw new LifelongError('invalid', 'ADMISSION_REQUIREMENT_UNKNOWN', `the requirement ${code.slice(0, 20)} of ${programme.slice(0, 20)} is not known`)
    // The registry validated the code when it was stored; an unreadable one gives no points.
    const genderPoints = offering.genderPoints === undefined ? undefined : parseGenderPoints(offering.genderPoints)
    return { requirement, terms: genderPoints === undefined ? {} : { genderPoints } }
  }

  /**
   * Gathers, verifies and scores every applicant of a round. One applicant's missing results or
   * sources never stop the round: each outcome says what it is.
   * @throws LifelongError ADMISSION_UNKNOWN_YEAR, ADMISSION_BATCH_TOO_LARGE, and the requirement's errors
   */
  async scoreRound (round: Round): Promise<RoundOutcome[]> {
    rulesFor(round.year)
    if (round.applicants.length > this.init.maxApplicants) throw new LifelongError('too-large', 'ADMISSION_BATCH_TOO_LARGE', `at most ${this.init.maxApplicants} applicants in one request`)
    // The requirement of the programme as the registry has it on 15 April of the round's year (the application deadline).
    const programme = round.programme === undefined ? undefined : await this.programmeOf(round.programme, `${round.year}-04-15`)
    const requirement = programme?.requirement
    const terms = programme?.terms ?? {}
    const out: RoundOutcome[] = new Array(round.applicants.length)
    let next = 0
    const worker = async (): Promise<void> => {
      while (next < round.applicants.length) {
        const i = next++
        out[i] = await this.scoreOne(round.applicants[i] as RoundApplicant, round.year, requirement, terms)
      }
    }
    await Promise.all(Array.from({ length: Math.min(this.init.concurrency, round.applicants.length) }, worker))
    return out
  }

  private async scoreOne (a: RoundApplicant, year: number, requirement: AdmissionRequirement | undefined, terms: ProgrammeTerms): Promise<RoundOutcome> {
    let fetched
    try {
      fetched = await this.c.fetcher.fetch([a.subject], ADMISSION_PURPOSE)
    } catch (err) {
      // The fetch never throws for a source; what is left (the fan-out limit) is this applicant's outcome, not the round's.
      const e = toLifelongError(err)
      return { applicant: a.ref, ok: false, code: e.code, message: e.message, sources: [], flagged: 0 }
    }
    const flagged = fetched.results.filter((r) => !r.verification.ok).length
    if (fetched.directoryError !== undefined) {
      return { applicant: a.ref, ok: false, code: fetched.directoryError, message: 'the national index could not say where the results are', sources: [], flagged }
    }
    const { applicant } = applicantFrom(a.ref, fetched.results, a.birthYear)
    if (applicant === undefined || applicant.diplomas.length === 0) {
      return { applicant: a.ref, ok: false, code: 'ADMISSION_NO_DIPLOMA', message: 'no verified upper-secondary diploma was found', sources: fetched.sources, flagged }
    }
    // What the application documents: gender (kjønnspoeng) and grounds for additional points.
    const withApplication: Applicant = {
      ...applicant,
      ...(a.gender === undefined ? {} : { gender: { value: a.gender, ref: `application:${a.ref}#gender` } }),
      ...(a.grounds === undefined ? {} : { additional: { ...a.grounds, ...(applicant.additional ?? {}) } })
    }
    const [outcome] = scoreBatch([withApplication], year, requirement, terms)
    return { ...(outcome as Outcome), sources: fetched.sources, flagged }
  }
}
