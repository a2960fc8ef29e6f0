/**
 * What every harvest format shares: the batch it maps to, the problems it reports, and the
 * small conversions between the standards' vocabulary and the results registry's (grades,
 * terms, external IDs). docs/RESULTS-AND-PORTAL.md §Harvesting has the mapping tables.
 */
import { createHmac } from 'node:crypto'
import type { ErrorCode } from '../../../../core/errors.ts'
import type { GradeInput, LearnerInput, Problem, ResultInput } from '../model.ts'

/** What a mapper needs from the node. */
export interface MappingContext {
  /** The source, as configured (`harvest.sources[].id`): prefixes the external IDs it makes. */
  sourceId: string
  /** The national ID of this institution's offering with `localCode` (its own catalogue). */
  offeringByCode: (localCode: string) => string | undefined
  /** A keyed hash (never the value itself) for external IDs that must not hold personal data. */
  pseudonym: (value: string) => string
}

/** A document mapped: the learners and results, and every entry that did not map. */
export interface Mapped {
  learners: LearnerInput[]
  results: ResultInput[]
  problems: Problem[]
}

export const MAPPING_INVALID: ErrorCode = 'HARVEST_MAPPING_INVALID'
export const DOCUMENT_INVALID: ErrorCode = 'HARVEST_DOCUMENT_INVALID'

/** A keyed pseudonym function over `secret` (HMAC-SHA-256, 96 bits shown). */
export function pseudonymiser (secret: Uint8Array): (value: string) => string {
  return (value) => createHmac('sha256', secret).update(value).digest('base64url').slice(0, 16)
}

const OFFERING_ID = /^O[0-9]{9}$/

/** The offering an entry names: a national ID as it is, else a local code this catalogue knows. */
export function offeringOf (ctx: MappingContext, ids: { nationalId?: string, localCode?: string }): string | undefined {
  if (ids.nationalId !== undefined && OFFERING_ID.test(ids.nationalId)) return ids.nationalId
  if (ids.localCode !== undefined) return ctx.offeringByCode(ids.localCode)
  return undefined
}

const PASSED = /^(passed|pass|bestått|bestatt|godkjent|approved|p)$/i
const FAILED = /^(failed|fail|ikke bestått|ikke bestatt|ikke godkjent|not passed|f\/p)$/i

/**
 * A grade label as the registry's scales know it: a letter A–F (also "B (very good)"), a
 * number 1–6, or passed/failed in Norwegian or English. Undefined when it is none of these.
 */
export function gradeOf (label: string | undefined, status?: 'passed' | 'failed'): GradeInput | undefined {
  const text = (label ?? '').trim()
  const letter = /^([A-F])(\b|$)/.exec(text)
  if (letter !== null) return { scale: 'A-F', value: letter[1] as string }
  if (/^[1-6]$/.test(text)) return { scale: '1-6', value: text }
  if (PASSED.test(text)) return { scale: 'pass-fail', value: 'passed' }
  if (FAILED.test(text)) return { scale: 'pass-fail', value: 'failed' }
  if (text === '' && status !== undefined) return { scale: 'pass-fail', value: status }
  return undefined
}

/** The FS term of a date: autumn (H) from August, spring (V) before. */
export function termOf (date: string): string {
  return `${date.slice(0, 4)}${Number(date.slice(5, 7)) >= 8 ? 'H' : 'V'}`
}

/** A date YYYY-MM-DD from a date or date-time. */
export function dateOf (value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined
  const m = /^([0-9]{4}-[0-9]{2}-[0-9]{2})/.exec(value.trim())
  return m?.[1]
}

/** Adds a learner once (the first occurrence wins; later ones with other names are the same person in the source). */
export function addLearner (out: Mapped, learner: LearnerInput): void {
  if (!out.learners.some((l) => l.nationalId === learner.nationalId && l.educationId === learner.educationId)) out.learners.push(learner)
}
