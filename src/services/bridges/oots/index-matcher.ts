/**
 * The OOTS person match through the national learner index (issue 5, `MatchPerson` of
 * /lifelong/learners/1.0.0): the eIDAS minimum data set of the request (family name, given name,
 * date of birth, and the eIDAS identifier when it is a foreign one) against the index's
 * identities. The index records the lookup in the learner's access log under the portal.
 */
import type { IndexClient } from '../../registry/learners/client.ts'
import type { EidasPerson, PersonMatcher, Purpose } from '../ports.ts'

/** An eIDAS unique identifier `XX/YY/…` (eIDAS SAML attribute profile §2.2.3): issuing country first. */
export function eidasIssuingCountry (identifier: string): string | undefined {
  const m = /^([A-Z]{2})\/([A-Z]{2})\/.+$/.exec(identifier.trim())
  return m === null ? undefined : m[1]
}

export function indexPersonMatcher (index: Pick<IndexClient, 'match'>): PersonMatcher {
  return {
    async match (person: EidasPerson, why: Purpose) {
      const country = person.identifier === undefined ? undefined : eidasIssuingCountry(person.identifier.value)
      // A Norwegian eIDAS identifier is not a national ID number; only foreign ones are identifiers the index may know.
      const identifier = country !== undefined && country !== 'NO' ? { scheme: 'foreign', value: (person.identifier as { value: string }).value, country } : undefined
      const res = await index.match({ identifier, familyName: person.familyName, givenName: person.givenName, birthDate: person.dateOfBirth }, why)
      return (res.candidates ?? []).map((c) => ({ learnerId: c.learnerId ?? '', matchedOn: c.matchedOn ?? [] })).filter((c) => c.learnerId !== '')
    }
  }
}
