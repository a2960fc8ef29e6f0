/**
 * The EMREX limits in the node config: the ELMO size cap, the check's workers and hard deadline,
 * and the import rate limits, with their defaults filled in and their bounds enforced.
 */
import { describe, expect, it } from 'vitest'
import { parseConfig } from '../../../../src/core/config/config.ts'
import { formatPublicKey, generateSigningKey } from '../../../../src/core/crypto/ed25519.ts'
import { ValidationError } from '../../../../src/core/errors.ts'

const portal = (emrex: Record<string, unknown>): unknown => ({
  name: 'Vitnemålsportalen',
  organisationNumber: '971035854',
  roles: ['portal'],
  dataDir: 'data/portal',
  federation: { id: 'no.lifelong.test', manifestFile: 'manifest.pb', operatorKeys: [formatPublicKey(generateSigningKey().publicKeyRaw)] },
  emrex: { certificateFile: 'emrex.crt', keyFile: 'emrex.key', ...emrex }
})

describe('EMREX limits in the config', () => {
  it('default to an 8 MiB document, one check worker, a 2 s deadline, 20 imports per learner and 60 per address per 10 minutes', () => {
    const emrex = parseConfig(portal({}), '/etc/lifelong').emrex
    expect(emrex).toMatchObject({ maxElmoBytes: 8 * 1024 * 1024, checkWorkers: 1, checkTimeoutMs: 2000, importRateLimit: { windowSeconds: 600, perLearner: 20, perClient: 60 } })
    expect(parseConfig(portal({ importRateLimit: { perLearner: 3 } }), '/etc/lifelong').emrex?.importRateLimit).toEqual({ windowSeconds: 600, perLearner: 3, perClient: 60 })
  })

  it('refuses limits outside their bounds, naming each', () => {
    let fields: string[] = []
    try {
      parseConfig(portal({ maxElmoBytes: 16 * 1024 * 1024, checkTimeoutMs: 10, checkWorkers: 0, importRateLimit: { perLearner: 0, perClient: 1, extra: 1 } }), '/etc/lifelong')
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError)
      fields = (err as ValidationError).fields.map((f) => f.path)
    }
    expect(fields.sort()).toEqual(['/emrex/checkTimeoutMs', '/emrex/checkWorkers', '/emrex/importRateLimit/extra', '/emrex/importRateLimit/perLearner', '/emrex/maxElmoBytes'].sort())
  })
})
