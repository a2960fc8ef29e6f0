/**
 * The portal's side of the bridges' ports (src/bridges/ports.ts): the signed-in learner as the
 * index's opaque learner ID, their verified results as `LearnerResults`, and the learner-visible
 * log of what the bridges hand on. The learner ID is resolved at the index from the session's
 * identifier; results are fetched only for learners signed in at this portal since it started
 * (the sources are asked by identifier, which the portal keeps only in memory, never stored).
 */
import { randomBytes } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { LifelongError } from '../errors.ts'
import type { AccessEntry, AccessLog, LearnerSessions, Purpose, SignedInLearner, VerifiedResults } from '../bridges/ports.ts'
import type { LearnerResults } from '../bridges/model.ts'
import type { LogAppender } from '../registry/results/ports.ts'
import type { Sublevel } from '../storage/storage.ts'
import type { SubjectId } from '../registry/results/model.ts'
import type { LearnerIdentity } from './oidc.ts'
import type { PortalModule } from './module.ts'
import { learnerResults } from '../registry/results/facts.ts'

/** What this needs of the index: the learner ID of an identifier. */
export interface LearnerIdResolver {
  resolve (subject: SubjectId, why: Purpose): Promise<string>
}

const RESOLVE = { purpose: 'portal.own-results', legalBasis: 'gdpr-6-1-e' }
const MAX_KNOWN = 10_000

export interface PortalBridgePorts {
  sessions: LearnerSessions
  results: VerifiedResults
  accessLog: AccessLog & { list (learnerId: string): Promise<AccessEntry[]> }
  /** The learner ID of a signed-in learner (for "who saw my data"). */
  learnerIdOf (identity: LearnerIdentity): Promise<string>
}

export function portalBridgePorts (portal: PortalModule, resolver: LearnerIdResolver, store: Sublevel, log: LogAppender): PortalBridgePorts {
  const known = new Map<string, LearnerIdentity>()
  const ids = new Map<string, string>()
  const learnerIdOf = async (identity: LearnerIdentity): Promise<string> => {
    const key = `${identity.subject.scheme}:${identity.subject.value}`
    let id = ids.get(key)
    if (id === undefined) {
      id = await resolver.resolve(identity.subject, RESOLVE)
      if (ids.size >= MAX_KNOWN) ids.delete(ids.keys().next().value as string)
      ids.set(key, id)
    }
    if (known.size >= MAX_KNOWN && !known.has(id)) known.delete(known.keys().next().value as string)
    known.set(id, identity)
    return id
  }
  return {
    learnerIdOf,
    sessions: {
      async learnerOf (request: FastifyRequest): Promise<SignedInLearner | undefined> {
        const identity = await portal.sessions.identify(request)
        return identity === undefined ? undefined : { learnerId: await learnerIdOf(identity) }
      },
      async requireSignIn (_request: FastifyRequest, reply: FastifyReply, returnTo: string): Promise<void> {
        await reply.redirect(`/portal/login?returnTo=${encodeURIComponent(returnTo)}`, 303)
      }
    },
    results: {
      async forLearner (learnerId: string, why: Purpose): Promise<LearnerResults> {
        const identity = known.get(learnerId)
        if (identity === undefined) throw new LifelongError('forbidden', 'PORTAL_LEARNER_NOT_SIGNED_IN', 'the learner must sign in at the portal before their results are handed on')
        const outcome = await portal.fetcher.fetch([identity.subject], why)
        return learnerResults(identity, outcome.results, portal.now())
      }
    },
    accessLog: {
      async record (learnerId: string, entry: AccessEntry): Promise<void> {
        const bytes = new TextEncoder().encode(JSON.stringify(entry))
        const key = `bl/${learnerId}/${String(entry.at).padStart(13, '0')}/${randomBytes(4).toString('hex')}`
        await log.append([{ type: 'portal.bridge-access', key: key.slice(3), record: bytes, storedAt: { sublevel: 'portal', key } }], [{ type: 'put', sublevel: store, key, value: bytes }])
      },
      async list (learnerId: string): Promise<AccessEntry[]> {
        const out: AccessEntry[] = []
        for await (const v of store.values({ gte: `bl/${learnerId}/`, lt: `bl/${learnerId}/\xff`, reverse: true, limit: 500 })) out.push(JSON.parse(new TextDecoder().decode(v)) as AccessEntry)
        return out
      }
    }
  }
}
