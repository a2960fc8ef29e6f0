/**
 * Every route of every role, against every kind of caller. A federation with a node of each role
 * (the portal with EMREX, the bridges and the development issuer) runs on loopback; the test walks
 * each node's whole route table (`node.routes`, so a route added tomorrow is walked too) and sends
 * each route five callers: anonymous, a learner, another learner, a service token with a scope
 * the route does not ask for, and one with the scope it does. What the edge decides is read from
 * the node's own count of refusals (`lifelong_http_refused_total{reason="caller"}`), not guessed
 * from status codes that a handler could also answer. The portal's OOTS listener (built with the
 * node, so its routes are known before it listens) refuses every one of these callers. The
 * generated policy tables of docs/SECURITY.md are checked against the same route tables.
 */
import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { startPlannedFederation, tempDir } from '../../helpers/federation.ts'
import { freePorts } from '../../helpers/ports.ts'
import { CookieClient } from '../../helpers/emrex-pair.ts'
import { LEARNERS } from '../../helpers/results.ts'
import { mintDevToken } from '../../../src/demo/dev-issuer.ts'
import { CALLER_KINDS, type CallerKind, type RouteEntry } from '../../../src/edges/http/edge.ts'
import { devIssuerWith, type LifelongNode } from '../../../src/node.ts'
import { EVERY_ROLE, generatedSection, planEveryRole, policyTables, routeTables } from '../../../scripts/security-policies.ts'

type Credential = 'anonymous' | 'learner' | 'another learner' | 'wrong scope' | 'right scope'
const CREDENTIALS: readonly Credential[] = ['anonymous', 'learner', 'another learner', 'wrong scope', 'right scope']

/** Which callers each kind of policy lets past the edge; every kind must be here. */
const ADMITS: Record<CallerKind, (c: Credential) => boolean> = {
  public: () => true,
  'share-holder': () => true,
  wallet: () => true,
  'emrex-client': () => true,
  'emrex-provider': () => true,
  development: () => true,
  learner: (c) => c === 'learner' || c === 'another learner',
  service: (c) => c === 'right scope',
  // The national access point authenticates on its own listener; none of these callers is it.
  'oots-gateway': () => false,
  // A workbench session is the only staff credential; none of these callers has one.
  staff: () => false
}

async function refusals (node: LifelongNode): Promise<number> {
  const { values } = await node.metrics.httpRefused.get()
  return values.filter((v) => v.labels.reason === 'caller').reduce((sum, v) => sum + v.value, 0)
}

/** A concrete path for a route's URL: any value for each parameter (the edge decides before the parameters are validated). */
const pathOf = (url: string): string => url.replace(/:[A-Za-z]+/g, 'x').replace(/\*/g, 'x')

describe('every route of every role', () => {
  it('admits exactly the callers its declared policy names, and docs/SECURITY.md lists every route as declared', async () => {
    expect(Object.keys(ADMITS).sort()).toEqual([...CALLER_KINDS].sort())
    const dir = tempDir('lifelong-policy-')
    // The routes are what is tested: the members talk over the in-memory transport; HTTP listens
    // on ports the manifest names (planned again if one is taken before the node listens).
    const fed = await startPlannedFederation(async (attempt) => {
      const ports = await freePorts(EVERY_ROLE.length)
      mkdirSync(join(dir, String(attempt)))
      return await planEveryRole(join(dir, String(attempt)), { transport: 'memory', ports: (i) => ({ p2p: 0, http: ports[i] as number }), configOverrides: () => ({ storage: { engine: 'memory' } }) })
    }, (s) => s.roles.includes('portal') ? { parts: { devIssuer: devIssuerWith([{ ...LEARNERS.kari }, { ...LEARNERS.ola }]) } } : {})
    const plan = fed.plan
    onTestFinished(async () => {
      await fed.stop()
    })

    // The learners: on the portal its own sign-in (a session cookie from the development issuer),
    // elsewhere a learner bearer token of an issuer the node trusts.
    const portal = fed.node('portal')
    const kari = new CookieClient()
    const ola = new CookieClient()
    await kari.signIn(portal.httpUrl(), 0)
    await ola.signIn(portal.httpUrl(), 1)
    const bearer = async (principal: 'learner' | 'service', subject: string, scopes: string[] = []): Promise<Record<string, string>> => ({ authorization: `Bearer ${await mintDevToken(plan.devIssuerKey, { principal, subject, scopes })}` })
    const learnerBearer = { kari: await bearer('learner', LEARNERS.kari.nationalId), ola: await bearer('learner', LEARNERS.ola.nationalId) }
    const wrongScope = await bearer('service', 'sis', ['nothing.this.node.asks.for'])
    const headersFor = async (node: LifelongNode, route: RouteEntry, c: Credential): Promise<Record<string, string>> => {
      const onPortal = node === portal
      switch (c) {
        case 'anonymous':
          return {}
        case 'learner':
          return onPortal ? { cookie: kari.cookieFor(portal.httpUrl()) } : learnerBearer.kari
        case 'another learner':
          return onPortal ? { cookie: ola.cookieFor(portal.httpUrl()) } : learnerBearer.ola
        case 'wrong scope':
          return wrongScope
        case 'right scope':
          return await bearer('service', 'sis', route.policy?.caller === 'service' ? [route.policy.scope] : ['nothing.this.node.asks.for'])
      }
    }

    const wrong: string[] = []
    let exercised = 0
    let total = 0
    let client = 0
    for (const { spec } of plan.nodes) {
      const node = fed.node(spec.slug)
      total += node.routes.length
      for (const route of node.routes) {
        const policy = route.policy
        if (policy === undefined) {
          wrong.push(`${spec.slug} ${route.method} ${route.url}: no policy`)
          continue
        }
        for (const credential of CREDENTIALS) {
          const before = await refusals(node)
          const res = await node.http.inject({
            method: route.method as 'GET',
            url: pathOf(route.url),
            headers: await headersFor(node, route, credential),
            // One client address per request: no rate limit decides for the edge here.
            remoteAddress: `10.9.${(client >> 8) & 255}.${client++ & 255}`
          })
          const refused = await refusals(node) > before
          // Whatever the edge decided, an empty or foreign request gets a stable code, never a crash.
          if (res.statusCode === 500) wrong.push(`${spec.slug} ${route.method} ${route.url} with ${credential}: 500 ${res.body.slice(0, 200)}`)
          const expected = !ADMITS[policy.caller](credential)
          if (refused !== expected) wrong.push(`${spec.slug} ${route.method} ${route.url} (${policy.caller}) with ${credential}: ${refused ? 'refused' : 'admitted'} (${res.statusCode} ${String(res.headers['x-error-code'] ?? '')})`)
          // A refusal is an answer the caller can act on: signing in (a page fetched by a browser), 401 or 403.
          if (refused && !(res.statusCode === 401 || res.statusCode === 403 || (res.statusCode === 303 && /^\/(portal\/login|workbench\/sign-in)\?returnTo=/.test(String(res.headers.location))))) {
            wrong.push(`${spec.slug} ${route.method} ${route.url} with ${credential}: refused with ${res.statusCode}`)
          }
        }
        exercised++
      }
    }
    // The portal's OOTS listener takes the national access point only (its pinned client
    // certificate over TLS): none of these callers gets past its edge, whatever the credential.
    const listener = portal.parts.ootsListener
    expect(listener?.routes.length).toBeGreaterThan(0)
    for (const route of listener?.routes ?? []) {
      total++
      for (const credential of CREDENTIALS) {
        const res = await listener!.app.inject({ method: route.method as 'POST', url: pathOf(route.url), headers: { ...await headersFor(portal, route, credential), 'content-type': 'application/xml' }, payload: '<x/>' })
        if (res.statusCode !== 401 && res.statusCode !== 403) wrong.push(`OOTS listener ${route.method} ${route.url} with ${credential}: ${res.statusCode}`)
      }
      exercised++
    }
    expect(wrong).toEqual([])
    expect(exercised).toBe(total)
    // Each role brings routes of its own beyond the system and log routes every node has.
    expect(Math.min(...plan.nodes.map(({ spec }) => fed.node(spec.slug).routes.length))).toBeGreaterThan(30)

    // The policy tables of docs/SECURITY.md are these route tables (regenerate: node scripts/security-policies.ts --write).
    const doc = readFileSync(join(import.meta.dirname, '../../../docs/SECURITY.md'), 'utf8')
    const tables = policyTables(plan.nodes.flatMap(({ spec }) => routeTables(fed.node(spec.slug))))
    expect(generatedSection(doc)).toBe(tables.trim())
  }, 240_000)
})
