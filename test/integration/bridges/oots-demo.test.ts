/**
 * `npm start`'s OOTS listener as an attacker and as the simulated gateway meet it: evidence
 * requests are not on the portal; the OOTS listener takes only the development gateway's
 * certificate; the simulated gateway's request gets a preview location that only its subject,
 * signed in at the portal, can open (real sign-in, real index match).
 */
import { describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { request } from 'node:https'
import { join } from 'node:path'
import { tempDir } from '../../helpers/federation.ts'
import { freePortRange } from '../../helpers/ports.ts'
import { runDemo } from '../../../src/demo/run.ts'
import { SAMPLE_LEARNERS } from '../../../src/demo/results-sample.ts'
import { DEV_AUDIENCE } from '../../../src/core/config/development.ts'
import { callAsDevelopmentGateway } from '../../../src/demo/oots/gateway.ts'
import type { DevelopmentGatewayFile } from '../../../src/demo/oots/local.ts'
import { edmRequest, previewLocationOf } from '../../helpers/bridges.ts'

describe('npm start: the OOTS listener', () => {
  it('takes the development gateway only; the learner the request is about sees it at the portal', { timeout: 120_000 }, async () => {
    const dir = join(tempDir(), 'demo')
    const spec = new URL('../../../node-config/local-federation.json', import.meta.url).pathname
    // One range: nine libp2p ports, nine HTTP ports, the simulated foreign EMREX node and the OOTS listener on the next two.
    const p2p = await freePortRange(20)
    const http = p2p + 9
    const demo = await runDemo({ dir, specFile: spec, logLevel: 'silent', sampleCatalogue: false, basePorts: { p2p, http } })
    try {
      const portal = demo.federation.node('portal')
      expect(demo.oots?.url).toBe(`https://127.0.0.1:${http + 10}`)
      expect(portal.parts.ootsListener?.url()).toBe(demo.oots?.url)
      const gatewayFile = JSON.parse(readFileSync(demo.oots!.gatewayFile, 'utf8')) as DevelopmentGatewayFile
      expect(gatewayFile.development).toMatch(/^DEVELOPMENT ONLY/)

      // Not on the portal's listener.
      expect((await fetch(`${portal.httpUrl()}/oots/query`, { method: 'POST', headers: { 'content-type': 'application/x-ebrs+xml' }, body: edmRequest() })).status).toBe(404)
      // On the OOTS listener, without a client certificate: the connection is closed.
      const anonymous = new Promise<number>((resolve, reject) => {
        const req = request(`${demo.oots!.url}/oots/query`, { method: 'POST', ca: readFileSync(gatewayFile.listenerCertificateFile), headers: { 'content-type': 'application/x-ebrs+xml' } }, (res) => { res.resume(); resolve(res.statusCode ?? 0) })
        req.on('error', reject)
        req.end(edmRequest())
      })
      await expect(anonymous).rejects.toMatchObject({ code: expect.stringMatching(/^(ECONNRESET|EPIPE)$/) })

      // The simulated gateway, as `npm start` prints it.
      const first = await callAsDevelopmentGateway(demo.oots!.gatewayFile)
      expect(first.outcome).toBe('EDM:ERR:0002')
      const location = previewLocationOf(first.body.toString())
      expect(location.startsWith(`${portal.httpUrl()}/oots/preview/`)).toBe(true)
      // Ola (second on the sign-in page) is not the subject; Kari (first) is. Without the sample
      // results (not loaded here, for speed) the institutions have not registered them: UiO does.
      await demo.federation.node('uio').learners.index.registerLearners(SAMPLE_LEARNERS.slice(0, 2).map((l) => ({
        identifiers: [{ scheme: 'national-id', value: l.nationalId as string }], name: { given: l.givenNames, family: l.familyName }, birthDate: l.birthDate as string
      })), { purpose: 'results.register', legalBasis: 'gdpr-6-1-e' })
      void portal.portal!.sessions
      const ola = await portal.portal!.devIssuer!.issue(1, DEV_AUDIENCE, 'n')
      const kari = await portal.portal!.devIssuer!.issue(0, DEV_AUDIENCE, 'n')
      expect((await fetch(location, { headers: { authorization: `Bearer ${ola}` } })).status).toBe(404)
      const page = await fetch(location, { headers: { authorization: `Bearer ${kari}` } })
      expect(page.status).toBe(200)
      expect(await page.text()).toContain('Simulated national OOTS access point (development)')
    } finally {
      await demo.federation.stop()
    }
  })
})
