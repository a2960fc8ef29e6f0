/**
 * `lifelong learners requests` and `lifelong learners decide` against a running index (the first
 * listing through the real CLI in a child process, the rest through the same program in the
 * test's process): an institution asks to replace a learner's D-number by a
 * fødselsnummer; the operator lists the request, approves it, and cannot decide it twice.
 */
import { describe, expect, it } from 'vitest'
import { join } from 'node:path'
import { runCli, runCliInProcess } from '../../helpers/cli.ts'
import { ORG, spec, startTestFederation, waitForMesh } from '../../helpers/federation.ts'
import { syntheticNationalId, syntheticPerson } from '../../../src/demo/synthetic.ts'

const WHY = { purpose: 'results.register', legalBasis: 'gdpr-6-1-e' }

describe('lifelong learners', () => {
  it('lists the pending change requests, approves one, refuses a second decision and a missing token', { timeout: 90_000 }, async () => {
    const fed = await startTestFederation([spec('index', ['index'], ORG.operator), spec('uio', ['institution'], ORG.a)])
    await waitForMesh(fed)
    const uio = fed.node('uio')
    const p = syntheticPerson(4_600_000)
    let dnr = ''
    for (let i = 500; dnr === ''; i++) dnr = syntheticNationalId(p.birthDate, i, { dNumber: true }) ?? ''
    const [o] = await uio.learners.index.registerLearners([{ identifiers: [{ scheme: 'national-id', value: dnr }], name: { given: p.given, family: p.family }, birthDate: p.birthDate }], WHY)
    const asked = await uio.learners.index.addIdentifier({ learnerId: o?.learnerId ?? '' }, { scheme: 'national-id', value: p.nationalId }, { scheme: 'national-id', value: dnr }, WHY)
    expect(asked.pending).toBe(true)
    const node = fed.node('index').httpUrl()
    const devIssuer = join(fed.plan.dir, 'dev-issuer.key')

    const list = await runCli(['learners', 'requests', '--node', node, '--dev-issuer', devIssuer])
    expect(list.code, list.stderr).toBe(0)
    expect(list.stdout).toContain(`${asked.changeRequestId ?? ''}  pending`)
    expect(list.stdout).toContain(`add fnr ${p.nationalId} replacing dnr ${dnr}  asked by test uio (${ORG.a}, institution)`)

    const approve = await runCliInProcess(['learners', 'decide', asked.changeRequestId ?? '', 'approve', '--note', 'checked with the population register', '--node', node, '--dev-issuer', devIssuer])
    expect(approve.code, approve.stderr).toBe(0)
    expect(approve.stdout).toContain(`${asked.changeRequestId ?? ''}  approved`)
    expect((await uio.learners.index.resolve({ scheme: 'national-id', value: p.nationalId }, WHY)).learnerId).toBe(o?.learnerId)

    const twice = await runCliInProcess(['learners', 'decide', asked.changeRequestId ?? '', 'reject', '--node', node, '--dev-issuer', devIssuer])
    expect(twice.code).toBe(1)
    expect(twice.stderr).toContain('error LEARNERS_CHANGE_REQUEST_DECIDED')
    expect((await runCliInProcess(['learners', 'requests', '--node', node, '--dev-issuer', devIssuer])).stdout).toContain('no pending change requests')
    const noToken = await runCliInProcess(['learners', 'requests', '--node', node])
    expect([noToken.code, noToken.stderr]).toEqual([1, expect.stringContaining('error LEARNERS_NO_TOKEN')])
  })
})
