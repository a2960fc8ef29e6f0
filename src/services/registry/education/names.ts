/**
 * Institutions by name: the label shown next to every institution ID the registry answers with
 * (its names and short name as they are today, or as they were last), and the resolution of
 * what a person types for an institution (a national ID, an organisation number or a short
 * name) to IDs. A value that names no institution is refused, never answered with nothing.
 */
import { selectVersion, type InstitutionHistory } from './history.ts'
import type { Localised } from './model.ts'
import { EducationCodes as C, educationError } from './errors.ts'
import { normaliseText } from './search.ts'

/** What is shown for an institution ID. */
export interface InstitutionLabel {
  id: string
  name: Localised
  shortName: string
}

/** The label of `id` as it is today (or, for an institution that ended, as it was last). */
export function institutionLabel (h: InstitutionHistory, id: string, today: string): InstitutionLabel {
  const versions = h.versions.get(id) ?? []
  const i = (selectVersion(versions, { validOn: today }) ?? selectVersion(versions))?.institution
  return { id, name: i?.name ?? {}, shortName: i?.shortName ?? '' }
}

/** Labels of every ID given, once each. */
export function institutionLabels (h: InstitutionHistory, ids: Iterable<string>, today: string): Record<string, InstitutionLabel> {
  const out: Record<string, InstitutionLabel> = {}
  for (const id of ids) if (out[id] === undefined) out[id] = institutionLabel(h, id, today)
  return out
}

/**
 * The institution IDs that `values` name: an ID as it is, a 9-digit organisation number (every
 * institution that ever had it), or a short name (case and diacritics folded; any version).
 * @throws LifelongError EDUCATION_QUERY_INVALID naming the values that match no institution
 */
export function resolveInstitutions (h: InstitutionHistory, values: readonly string[]): string[] {
  const out = new Set<string>()
  const unknown: string[] = []
  for (const raw of values) {
    const value = raw.trim()
    const before = out.size
    if (/^I[0-9]{9}$/.test(value)) {
      if (h.versions.has(value)) out.add(value)
    } else {
      const digits = /^[0-9 ]{9,11}$/.test(value) ? value.replace(/ /g, '') : undefined
      const folded = normaliseText(value)
      for (const [id, versions] of h.versions) {
        if (versions.some((v) => (digits !== undefined && v.institution.organisationNumber === digits) || (digits === undefined && normaliseText(v.institution.shortName) === folded))) out.add(id)
      }
    }
    if (out.size === before && !(/^I[0-9]{9}$/.test(value) && out.has(value))) unknown.push(value)
  }
  if (unknown.length > 0) {
    throw educationError('invalid', C.queryInvalid, `no institution ${unknown.map((u) => `"${u}"`).join(', ')}: give an institution ID (I…), an organisation number or a short name (GET /education/institutions lists them)`)
  }
  return [...out]
}
