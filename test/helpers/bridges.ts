/**
 * Test implementations of the bridge ports (src/services/bridges/ports.ts) until the portal (issue 6) and
 * the index match (issue 5) are wired: a session keyed by a test cookie, fixture-backed verified
 * results whose statuses a test can change, a matcher over a fixed table, and an access log
 * that remembers what it was told. And the OOTS listener's counterpart: TLS credentials made
 * with node:crypto for the listener and a pinned gateway (plus an unpinned one and an impostor
 * with the gateway's name but its own key), and a simulated national access point that calls
 * the listener with a real client certificate.
 */
import { readFileSync } from 'node:fs'
import { Agent, request as httpsRequest } from 'node:https'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { AccessEntry, AccessLog, EidasPerson, LearnerSessions, PersonMatcher, SignedInLearner, VerifiedResults } from '../../src/services/bridges/ports.ts'
import type { LearnerResults } from '../../src/core/bridges/model.ts'
import { createTlsCertificate, writeTlsFiles } from '../../src/services/bridges/oots/certificates.ts'
import type { LocalNodeSpec } from '../../src/demo/local-federation.ts'
import type { NodeOptions } from '../../src/node.ts'
import { sampleLearnerResults } from '../fixtures/bridges/sample.ts'

export const TEST_SESSION_COOKIE = 'test-learner'

/**
 * Signed in as `learnerId` when the request carries `cookie: test-learner=<learnerId>`, with the
 * names and birth date `identities` gives that learner (as an OIDC sign-in would), if any.
 */
export function cookieSessions (identities: Record<string, Omit<SignedInLearner, 'learnerId'>> = {}): LearnerSessions {
  return {
    async learnerOf (request: FastifyRequest) {
      const m = /(?:^|;\s*)test-learner=([A-Za-z0-9_-]+)/.exec(request.headers.cookie ?? '')
      if (m === null) return undefined
      const learnerId = m[1] as string
      return { learnerId, ...identities[learnerId] }
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
    set (learnerId: string, results: LearnerResults) {
      table.set(learnerId, results)
    },
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
      return people.filter((p) =>
        (person.identifier !== undefined && p.person.identifier?.value === person.identifier.value) ||
        (norm(p.person.familyName) === norm(person.familyName) && norm(p.person.givenName.split(' ')[0] ?? '') === norm(person.givenName.split(' ')[0] ?? '') && p.person.dateOfBirth === person.dateOfBirth)
      )
        .map((p) => ({ learnerId: p.learnerId, matchedOn: ['name-and-birth-date'] }))
    }
  }
  return m
}

export function memoryAccessLog (): AccessLog & { rows: Array<{ learnerId: string, entry: AccessEntry }> } {
  const rows: Array<{ learnerId: string, entry: AccessEntry }> = []
  return {
    rows,
    async record (learnerId, entry) {
      rows.push({ learnerId, entry })
    }
  }
}

/** PEM certificate and key. */
export interface TlsPem {
  certificatePem: string
  privateKeyPem: string
}

export interface OotsTestCredentials {
  /** The OOTS listener's server certificate (localhost, 127.0.0.1). */
  server: TlsPem
  /** The gateway's client certificate, pinned in the config. */
  gateway: TlsPem
  /** A valid client certificate nobody pinned. */
  other: TlsPem
  /** The gateway's exact subject and issuer name, with another key (what someone who knows the name can make). */
  impostor: TlsPem
}

let credentials: Promise<OotsTestCredentials> | undefined

/** Test TLS credentials, made once per test file (RSA key generation is the slow part). */
export async function ootsTestCredentials (): Promise<OotsTestCredentials> {
  credentials ??= (async () => ({
    server: await createTlsCertificate({ commonName: 'test OOTS listener', use: 'server', hosts: ['localhost', '127.0.0.1'] }),
    gateway: await createTlsCertificate({ commonName: 'Test national OOTS access point', organisation: 'Digdir (test)', country: 'NO', use: 'client' }),
    other: await createTlsCertificate({ commonName: 'Someone else', country: 'NO', use: 'client' }),
    impostor: await createTlsCertificate({ commonName: 'Test national OOTS access point', organisation: 'Digdir (test)', country: 'NO', use: 'client' })
  }))()
  return await credentials
}

export const TEST_GATEWAY = { id: 'test-gateway', name: 'Test national OOTS access point' } as const

/** Writes the listener's and the gateway's certificates under `dir` and returns a portal's `oots` config section. */
export async function ootsListenerConfig (dir: string, extra: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const c = await ootsTestCredentials()
  writeTlsFiles(join(dir, 'oots-listener.crt'), join(dir, 'oots-listener.key'), c.server)
  writeTlsFiles(join(dir, 'gateway.crt'), join(dir, 'gateway.key'), c.gateway)
  return {
    listen: { host: '127.0.0.1', port: 0 },
    tls: { certificateFile: join(dir, 'oots-listener.crt'), keyFile: join(dir, 'oots-listener.key') },
    gateways: [{ id: TEST_GATEWAY.id, name: TEST_GATEWAY.name, certificateFiles: [join(dir, 'gateway.crt')] }],
    ...extra
  }
}

/** The requester the sample v2.0 request names (EAS 0009 identifier), as a gateway vouches for it. */
export const SAMPLE_REQUESTER = { id: 'urn:cef.eu:names:identifier:EAS:0009:00000000000002', name: 'Ministère de l\'enseignement supérieur', country: 'FR' } as const

export interface GatewayAnswer {
  status: number
  type: string
  outcome: string
  retryAfter?: string
  body: Buffer
}

/**
 * A simulated national access point: posts an EDM request to the OOTS listener over TLS with a
 * client certificate (the pinned gateway's unless told otherwise) and the requester it vouches
 * for in the OOTS-Requester-* headers. Rejects when the listener closes the connection.
 */
export function simulatedGateway (listenerUrl: () => string, options: { client?: TlsPem | null, keepAlive?: boolean } = {}) {
  const credentials = ootsTestCredentials()
  // A gateway keeps its connection open; tests default to one connection per request, so that each is checked afresh.
  const agent = options.keepAlive === true ? new Agent({ keepAlive: true, maxSockets: 1 }) : false
  return {
    /** Closes a kept-alive connection. */
    close (): void {
      if (agent !== false) agent.destroy()
    },
    async post (xml: string, requester: { id: string, name?: string, country?: string } | null = SAMPLE_REQUESTER, path = '/oots/query'): Promise<GatewayAnswer> {
      const url = new URL(path, listenerUrl())
      const headers: Record<string, string> = { 'content-type': 'application/x-ebrs+xml' }
      if (requester !== null) {
        headers['oots-requester-id'] = requester.id
        if (requester.name !== undefined) headers['oots-requester-name'] = encodeURIComponent(requester.name)
        if (requester.country !== undefined) headers['oots-requester-country'] = requester.country
      }
      const c = await credentials
      const client = options.client === undefined ? c.gateway : options.client
      return await new Promise<GatewayAnswer>((resolve, reject) => {
        const req = httpsRequest({
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          headers,
          ca: c.server.certificatePem,
          ...(client === null ? {} : { cert: client.certificatePem, key: client.privateKeyPem }),
          agent
        }, (res) => {
          const chunks: Buffer[] = []
          res.on('data', (d: Buffer) => chunks.push(d))
          res.on('error', reject)
          res.on('end', () => {
            resolve({
              status: res.statusCode ?? 0,
              type: String(res.headers['content-type'] ?? ''),
              outcome: String(res.headers['x-edm-outcome'] ?? ''),
              ...(res.headers['retry-after'] === undefined ? {} : { retryAfter: String(res.headers['retry-after']) }),
              body: Buffer.concat(chunks)
            })
          })
        })
        req.on('error', reject)
        req.end(xml)
      })
    }
  }
}

const SAMPLE_REQUEST = fileURLToPath(new URL('../fixtures/bridges/oots-edm/samples-v2.0/requete.xml', import.meta.url))
let requestCounter = 0

export interface EdmRequestOptions {
  /** The follow-up request of the preview flow carries the preview location. */
  preview?: string
  family?: string
  given?: string
  birthDate?: string
  classification?: string
  spec?: string
  possibility?: boolean
  /** The requester the message names (identifier and name), instead of the sample's. */
  requester?: { identifier: string, name: string }
  /** A request ID of the caller's choice (a replay); default a fresh one. */
  requestId?: string
}

/** The official v2.0 sample request, about Kari Nordmann, for the diploma evidence type, with a fresh request ID. */
export function edmRequest (opts: EdmRequestOptions = {}): string {
  const id = opts.requestId ?? `urn:uuid:1a2b3c4d-0000-4000-8000-${String(++requestCounter).padStart(12, '0')}`
  let xml = readFileSync(SAMPLE_REQUEST, 'utf8')
    .replace('urn:uuid:1a2b3c4d-0000-4000-8000-000000000000', id)
    .replace('<sdg:Identifier schemeID="eidas">FR/DE/123123123</sdg:Identifier>', '<sdg:Identifier schemeID="eidas">NO/FR/kari-eidas-1</sdg:Identifier>')
    .replace('<sdg:FamilyName>Dupont</sdg:FamilyName>', `<sdg:FamilyName>${opts.family ?? 'Nordmann'}</sdg:FamilyName>`)
    .replace('<sdg:GivenName>Jean</sdg:GivenName>', `<sdg:GivenName>${opts.given ?? 'Kari'}</sdg:GivenName>`)
    .replace('<sdg:DateOfBirth>1992-10-22</sdg:DateOfBirth>', `<sdg:DateOfBirth>${opts.birthDate ?? '1999-03-14'}</sdg:DateOfBirth>`)
    .replace('https://sr.oots.tech.ec.europa.eu/evidencetypeclassifications/DE/ca8afed6-2dc0-422a-a931-d21c3d8d370e', opts.classification ?? 'https://lifelong.no/oots/evidence-types/tertiary-education-diploma')
  if (opts.spec !== undefined) xml = xml.replace('oots-edm:v2.0', opts.spec)
  if (opts.possibility !== false) xml = xml.replace(/(PossibilityForPreview">\s*<rim:SlotValue[^>]*>\s*<rim:Value>)false/, '$1true')
  if (opts.requester !== undefined) {
    xml = xml.replace('<sdg:Identifier schemeID="urn:cef.eu:names:identifier:EAS:0009">00000000000002</sdg:Identifier>', `<sdg:Identifier schemeID="urn:cef.eu:names:identifier:EAS:0009">${opts.requester.identifier}</sdg:Identifier>`)
      .replace('<sdg:Name lang="FR">Ministère de l\'enseignement supérieur</sdg:Name>', `<sdg:Name lang="FR">${opts.requester.name}</sdg:Name>`)
  }
  if (opts.preview !== undefined) {
    xml = xml.replace(
      '<rim:Slot name="PossibilityForPreview">',
      `<rim:Slot name="PreviewLocation"><rim:SlotValue xsi:type="rim:StringValueType"><rim:Value>${opts.preview}</rim:Value></rim:SlotValue></rim:Slot>\n  <rim:Slot name="PossibilityForPreview">`
    )
  }
  return xml
}

/** The preview location of an EDM:ERR:0002 answer. */
export const previewLocationOf = (xml: string): string => (/<rim:Value>(https?:[^<]+\/oots\/preview\/[^<]+)<\/rim:Value>/.exec(xml) as RegExpExecArray)[1] as string

/** The sample learner of the bridges' fixture (Kari), as the portal's test parts know her. */
export const SAMPLE_LEARNER = 'L0000000000kari'

/**
 * Node options for a portal and one institution whose bridges serve the sample learner's
 * results as held by the institution `sourcePeerId`: the portal's bridge parts from the
 * fixtures above (a test cookie's session, the fixture results, a matcher knowing Kari, an
 * access log in memory), and the institution's answer of the same results.
 */
export function sampleBridgeNodeOptions (sourcePeerId: string): (spec: LocalNodeSpec) => NodeOptions {
  const mine = { ...sampleLearnerResults, results: sampleLearnerResults.results.map((r) => ({ ...r, verification: { ...r.verification, sourcePeerId } })) }
  return (spec) =>
    spec.roles.includes('portal')
      ? {
        parts: {
          bridgeSessions: () => cookieSessions(),
          verifiedResults: () => fixtureResults({ [SAMPLE_LEARNER]: mine }),
          personMatcher: () => tableMatcher([{ learnerId: SAMPLE_LEARNER, person: { familyName: 'Nordmann', givenName: 'Kari', dateOfBirth: '1999-03-14' } }]),
          bridgeAccessLog: () => memoryAccessLog()
        }
      }
      : { parts: { institutionResults: () => ({ forLearner: async () => mine }) } }
}
