/**
 * Who an evidence request is about, without keeping more than needed: the eIDAS minimum data
 * set (family name, first given name, date of birth) reduced as the national index compares
 * names (`normaliseName`), hashed with the preview's own random ID as salt. The key ties the
 * follow-up request to the same person, and lets the portal check a signed-in learner's own
 * names and birth date against the request before it asks the index anything. Pure.
 */
import { hash } from 'node:crypto'
import { normaliseName } from '../../registry/learners/keys.ts'

export interface MinimumDataSet {
  familyName: string
  givenName: string
  /** `YYYY-MM-DD`. */
  dateOfBirth: string
}

/** The salted key of a person's minimum data set for one preview. */
export function subjectKey (salt: string, person: MinimumDataSet): string {
  const first = normaliseName(person.givenName).split(' ')[0] ?? ''
  return hash('sha256', `${salt}\n${person.dateOfBirth}\n${normaliseName(person.familyName)}\n${first}`, 'base64url')
}

/**
 * Whether a sign-in's own names and birth date rule the learner out as the subject: only when
 * the sign-in gives all three and they do not fit. A sign-in that gives fewer is left to the
 * index's match.
 */
export function signInRulesOut (salt: string, key: string, signIn: { givenNames?: string, familyName?: string, birthDate?: string }): boolean {
  const { givenNames, familyName, birthDate } = signIn
  if (givenNames === undefined || familyName === undefined || birthDate === undefined) return false
  if (givenNames.trim() === '' || familyName.trim() === '' || birthDate === '') return false
  return subjectKey(salt, { givenName: givenNames, familyName, dateOfBirth: birthDate }) !== key
}
