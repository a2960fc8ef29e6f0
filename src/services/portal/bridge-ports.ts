/**
 * The portal's side of the bridges' ports (src/services/bridges/ports.ts): the signed-in learner as the
 * index's opaque learner ID with the names and birth date of their sign-in, their verified
 * results as `LearnerResults`, and the learner-visible log of what the bridges hand on.
 *
 * Built in two steps so that nothing is set after construction: {@link SignedInLearners} and
 * {@link BridgeAccessLog} need only the index and the store and exist before the portal (which
 * shows the access log in "who saw my data"); {@link portalBridgePorts} then adds the portal's
 * sessions and fan-out. The learner ID is resolved at the index from the sign-in's identifier.
 * The sources are asked for a learner's results by identifier, which a bridge does not have (an
 * OOTS request names a person, the index answers with a learner ID): so the portal keeps, in its
 * store, the sign-in identity behind every learner ID it resolved (`learner/<learner ID>`: the
 * identifier, names and birth date, refreshed at every sign-in), and a bridge finds a learner
 * who has signed in at this portal once, whenever that was — restarts included.
 */
import { randomBytes } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { LifelongError } from '../../core/errors.ts'
import type { AccessEntry, AccessLog, LearnerSessions, Purpose, SignedInLearner, VerifiedResults } from '../bridges/ports.ts'
import type { LearnerResults } from '../../core/bridges/model.ts'
import type { LogWriter } from '../../store/log/unit-of-work.ts'
import type { Sublevel } from '../../store/leveldb/storage.ts'
import type { SubjectId } from '../registry/results/model.ts'
import type { LearnerIdentity } from './oidc.ts'
import type { PortalModule } from './module.ts'
import { learnerResults } from '../registry/results/facts.ts'
import { learnerIdentityKey } from './keys.ts'

/** What this needs of the index: the learner ID of an identifier, undefined if the index knows none. */
export interface LearnerIdResolver {
  resolve(subject: SubjectId, why: Purpose): Promise<string | undefined>
}

const RESOLVE = { purpose: 'portal.own-results', legalBasis: 'gdpr-6-1-e' }
const MAX_KNOWN = 10_000

/** What is kept of a sign-in behind a learner ID: enough to ask the sources for the learner's results. */
interface StoredIdentity {
  subject: SubjectId
  givenNames: string
  familyName: string
  birthDate?: string
}

const storedOf = (i: LearnerIdentity): StoredIdentity => ({
  subject: { scheme: i.subject.scheme, value: i.subject.value },
  givenNames: i.givenNames,
  familyName: i.familyName,
  ...(i.birthDate === undefined ? {} : { birthDate: i.birthDate })
})

/**
 * Learner IDs of signed-in identities (resolved once at the index), and the identities behind
 * them, kept in the portal's store so that they outlive the process.
 */
export class SignedInLearners {
  private readonly resolver: LearnerIdResolver
  private readonly store: Sublevel
  /** Identities by learner ID, as stored (a cache of the store: no write when nothing changed). */
  private readonly known = new Map<string, string>()
  private readonly ids = new Map<string, string>()

  constructor (resolver: LearnerIdResolver, store: Sublevel) {
    this.resolver = resolver
    this.store = store
  }

  /**
   * The learner ID of a signed-in identity; keeps the identity under it.
   * @throws LifelongError PORTAL_LEARNER_UNKNOWN when the index knows no learner with that identifier
   */
  async learnerIdOf (identity: LearnerIdentity): Promise<string> {
    const key = `${identity.subject.scheme}:${identity.subject.value}`
    let id = this.ids.get(key)
    if (id === undefined) {
      try {
        id = await this.resolver.resolve(identity.subject, RESOLVE)
      } catch (err) {
        if (err instanceof LifelongError && err.kind === 'not-found') id = undefined
        else throw err
      }
      if (id === undefined || id === '') throw new LifelongError('not-found', 'PORTAL_LEARNER_UNKNOWN', 'the national index knows no learner with this identity')
      if (this.ids.size >= MAX_KNOWN) this.ids.delete(this.ids.keys().next().value as string)
      this.ids.set(key, id)
    }
    const json = JSON.stringify(storedOf(identity))
    if (this.known.get(id) !== json) {
      await this.store.put(learnerIdentityKey(id), new TextEncoder().encode(json))
      this.remember(id, json)
    }
    return id
  }

  /** The identity behind a learner ID, if the learner has ever signed in at this portal. */
  async identityOf (learnerId: string): Promise<LearnerIdentity | undefined> {
    let json = this.known.get(learnerId)
    if (json === undefined) {
      const bytes = await this.store.get(learnerIdentityKey(learnerId))
      if (bytes === undefined) return undefined
      json = new TextDecoder().decode(bytes)
      this.remember(learnerId, json)
    }
    return { ...(JSON.parse(json) as StoredIdentity), expiresAt: 0 }
  }

  private remember (learnerId: string, json: string): void {
    if (this.known.size >= MAX_KNOWN && !this.known.has(learnerId)) this.known.delete(this.known.keys().next().value as string)
    this.known.set(learnerId, json)
  }
}

/** The learner-visible log of what the bridges handed on, in the portal's store and transparency log. */
export class BridgeAccessLog implements AccessLog {
  private readonly store: Sublevel
  private readonly log: LogWriter

  constructor (components: { store: Sublevel, log: LogWriter }) {
    this.store = components.store
    this.log = components.log
  }

  async record (learnerId: string, entry: AccessEntry): Promise<void> {
    const bytes = new TextEncoder().encode(JSON.stringify(entry))
    const key = `bl/${learnerId}/${String(entry.at).padStart(13, '0')}/${randomBytes(4).toString('hex')}`
    await this.log.transaction((tx) => {
      tx.record({ sublevel: this.store, key, value: bytes, entry: { type: 'portal.bridge-access', key: key.slice(3) } })
    })
  }

  /** The learner's entries, newest first. */
  async list (learnerId: string): Promise<AccessEntry[]> {
    const out: AccessEntry[] = []
    for await (const v of this.store.values({ gte: `bl/${learnerId}/`, lt: `bl/${learnerId}/\xff`, reverse: true, limit: 500 })) out.push(JSON.parse(new TextDecoder().decode(v)) as AccessEntry)
    return out
  }
}

/** The ports the portal serves to the bridges. */
export interface PortalBridgePorts {
  sessions: LearnerSessions
  results: VerifiedResults
  accessLog: AccessLog
}

/** The bridges' ports over the portal's sign-in and fan-out. */
export function portalBridgePorts (portal: PortalModule, learners: SignedInLearners, accessLog: AccessLog): PortalBridgePorts {
  return {
    sessions: {
      async learnerOf (request: FastifyRequest): Promise<SignedInLearner | undefined> {
        // The learner the HTTP edge authenticated for the route (its policy is `learner`); on a
        // route open to anyone (an EMREX transfer's answer) the sign-in is optional and read here.
        const identity = request.caller?.kind === 'learner' ? portal.identityOf(request) : await portal.sessions.identify(request)
        if (identity === undefined) return undefined
        return {
          learnerId: await learners.learnerIdOf(identity),
          givenNames: identity.givenNames,
          familyName: identity.familyName,
          ...(identity.birthDate === undefined ? {} : { birthDate: identity.birthDate })
        }
      },
      async requireSignIn (_request: FastifyRequest, reply: FastifyReply, returnTo: string): Promise<void> {
        await reply.redirect(`/portal/login?returnTo=${encodeURIComponent(returnTo)}`, 303)
      }
    },
    results: {
      async forLearner (learnerId: string, why: Purpose): Promise<LearnerResults> {
        const identity = await learners.identityOf(learnerId)
        if (identity === undefined) throw new LifelongError('forbidden', 'PORTAL_LEARNER_NEVER_SIGNED_IN', 'the learner must sign in at the portal once before their results are handed on')
        const outcome = await portal.fetcher.fetch([identity.subject], why)
        return learnerResults(identity, outcome.results, portal.now())
      }
    },
    accessLog
  }
}
