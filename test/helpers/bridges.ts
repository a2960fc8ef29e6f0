/**
 * Test implementations of the bridge ports (src/bridges/ports.ts) until the portal (issue 6) and
 * the index match (issue 5) are wired: a session keyed by a test cookie, fixture-backed verified
 * results whose statuses a test can change, a matcher over a fixed table, and an access log
 * that remembers what it was told.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { AccessEntry, AccessLog, EidasPerson, LearnerSessions, PersonMatcher, VerifiedResults } from '../../src/bridges/ports.ts'
import type { LearnerResults } from '../../src/bridges/model.ts'

export const TEST_SESSION_COOKIE = 'test-learner'

/** Signed in as `learnerId` when the request carries `cookie: test-learner=<learnerId>`. */
export function cookieSessions (): LearnerSessions {
  return {
    async learnerOf (request: FastifyRequest) {
      const m = /(?:^|;\s*)test-learner=([A-Za-z0-9_-]+)/.exec(request.headers.cookie ?? '')
      return m === null ? undefined : { learnerId: m[1] as string }
    },
    async requireSignIn (_request: FastifyRequest, reply: FastifyReply, returnTo: string) {
      await reply.status(302).header('location', `/test-sign-in?return=${encodeURIComponent(returnTo)}`).send()
    }
  }
}

/** Verified results per learner ID; `set` replaces a learner's view (e.g. after an annulment). */
export function fixtureResults (initial: Record<string, LearnerResults>): VerifiedResults & { set: (learnerId: string, results: LearnerResults) => void, reads: number } {
  const table = new Map(Object.entries(initial))
  const port = {
    reads: 0,
    set (learnerId: string, results: LearnerResults) { table.set(learnerId, results) },
    async forLearner (learnerId: string) {
      port.reads++
      const r = table.get(learnerId)
      if (r === undefined) throw new Error(`no fixture for ${learnerId}`)
      return r
    }
  }
  return port
}

/** Matches on (family name, given name, birth date) case-insensitively, or the identifier. */
export function tableMatcher (people: Array<{ learnerId: string, person: EidasPerson }>): PersonMatcher & { calls: number } {
  const norm = (s: string): string => s.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().trim()
  const m = {
    calls: 0,
    async match (person: EidasPerson) {
      m.calls++
      return people.filter((p) => (person.identifier !== undefined && p.person.identifier?.value === person.identifier.value) ||
        (norm(p.person.familyName) === norm(person.familyName) && norm(p.person.givenName.split(' ')[0] ?? '') === norm(person.givenName.split(' ')[0] ?? '') && p.person.dateOfBirth === person.dateOfBirth))
        .map((p) => ({ learnerId: p.learnerId, matchedOn: ['name-and-birth-date'] }))
    }
  }
  return m
}

export function memoryAccessLog (): AccessLog & { rows: Array<{ learnerId: string, entry: AccessEntry }> } {
  const rows: Array<{ learnerId: string, entry: AccessEntry }> = []
  return { rows, async record (learnerId, entry) { rows.push({ learnerId, entry }) } }
}
