/**
 * A node whose federation has no registry says so, and what the operator does about it: the
 * results registry's offering lookup and the accreditor's desk refuse with
 * EDUCATION_REGISTRY_UNAVAILABLE naming the next step.
 */
import { describe, expect, it } from 'vitest'
import { OfferingLookup } from '../../../../../src/services/registry/education/lookup.ts'
import { createAccreditorDesk } from '../../../../../src/services/registry/education/module.ts'
import type { Federation } from '../../../../../src/net/federation/federation.ts'
import type { RpcClient } from '../../../../../src/net/rpc/client.ts'
import { isLifelongError } from '../../../../../src/core/errors.ts'

const federation = { membersWithRole: () => [] } as unknown as Federation
const client = {
  call: async () => {
    throw new Error('no call expected')
  }
} as unknown as RpcClient

async function refusal (p: Promise<unknown>): Promise<{ code: string, message: string }> {
  try {
    await p
  } catch (err) {
    if (isLifelongError(err)) return { code: err.code, message: err.message }
    throw err
  }
  throw new Error('expected a refusal')
}

describe('a federation without a registry node', () => {
  it('is refused with the next step named', async () => {
    const lookup = await refusal(new OfferingLookup({ client, federation }).get('O000000011', '2025-01-01'))
    expect(lookup.code).toBe('EDUCATION_REGISTRY_UNAVAILABLE')
    expect(lookup.message).toContain('lifelong init --role registry')
    expect(lookup.message).toContain('lifelong check --config')
    const desk = await refusal(
      createAccreditorDesk({ client, federation }).record({ subjectType: 'offering', subject: 'O000000011', type: 'revocation', status: 'revoked', decisionDate: '2025-01-01', validFrom: '2025-01-01', reference: 'X' } as never)
    )
    expect(desk.code).toBe('EDUCATION_REGISTRY_UNAVAILABLE')
  })
})
