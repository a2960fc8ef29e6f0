/** The issuer key set's states and transitions (src/core/crypto/issuer-key-set.ts), its file, and the manifest's retired issuer keys. */
import { generateKeyPairSync } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { activeKey, addKey, EMPTY_KEY_SET, parseKeySetState, publishedKeys, readKeySet, retire, rollover, writeKeySet } from '../../../../src/core/crypto/issuer-key-set.ts'
import { p256JwkOf } from '../../../../src/core/crypto/p256.ts'
import { manifestFromJson, manifestToJson, narrowManifest } from '../../../../src/core/federation/manifest.ts'
import { tempDir } from '../../../helpers/federation.ts'
import { paperFederation } from '../../../helpers/trust.ts'
import { generateSigningKey } from '../../../../src/core/crypto/ed25519.ts'

const code = (c: string): unknown => expect.objectContaining({ code: c })

describe('issuer key set', () => {
  it('first key active; next published but not signing; rollover keeps the old one published; retire unpublishes it', () => {
    let s = addKey(EMPTY_KEY_SET, 'a', 1)
    expect(activeKey(s)?.id).toBe('a')
    s = addKey(s, 'b', 2)
    expect(activeKey(s)?.id).toBe('a')
    expect(publishedKeys(s).map((k) => [k.id, k.state])).toEqual([['a', 'active'], ['b', 'next']])
    expect(() => addKey(s, 'c', 3)).toThrow(code('KEY_ROLLOVER_NEXT_EXISTS'))
    expect(() => addKey(s, 'b', 3)).toThrow(code('KEY_ROLLOVER_DUPLICATE'))
    expect(() => retire(s, 3)).toThrow(code('KEY_ROLLOVER_NOTHING_TO_RETIRE'))
    expect(() => retire(s, 3, 'a')).toThrow(code('KEY_ROLLOVER_ACTIVE'))
    s = rollover(s, 10)
    expect(activeKey(s)).toMatchObject({ id: 'b', activatedAt: 10 })
    expect(publishedKeys(s).map((k) => [k.id, k.state])).toEqual([['a', 'previous'], ['b', 'active']])
    expect(() => rollover(s, 11)).toThrow(code('KEY_ROLLOVER_NO_NEXT'))
    expect(() => retire(s, 11, 'x')).toThrow(code('KEY_ROLLOVER_UNKNOWN_KEY'))
    s = retire(s, 20)
    expect(s.keys.find((k) => k.id === 'a')).toMatchObject({ state: 'retired', supersededAt: 10, retiredAt: 20 })
    expect(publishedKeys(s).map((k) => k.id)).toEqual(['b'])
  })

  it('set.json round-trips; a broken one is refused with KEY_ROLLOVER_STATE_INVALID', () => {
    const dir = tempDir()
    expect(readKeySet(dir)).toEqual(EMPTY_KEY_SET)
    const s = rollover(addKey(addKey(EMPTY_KEY_SET, 'a', 1), 'b', 2), 3)
    writeKeySet(dir, s)
    expect(readKeySet(dir)).toEqual(s)
    for (const bad of ['{', '{"version":2,"keys":[]}', '{"version":1,"keys":[{"id":"../x","state":"active","createdAt":1}]}', '{"version":1,"keys":[{"id":"a","state":"active","createdAt":1},{"id":"b","state":"active","createdAt":1}]}']) {
      expect(() => parseKeySetState(bad, 'set.json')).toThrow(code('KEY_ROLLOVER_STATE_INVALID'))
    }
    writeFileSync(join(dir, 'set.json'), '{"version":1,"keys":[{"id":"a","state":"gone","createdAt":1}]}')
    expect(() => readKeySet(dir)).toThrow(code('KEY_ROLLOVER_STATE_INVALID'))
  })

  it('the manifest carries retired credential issuer keys with their time, and refuses a bad one', () => {
    const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
    const fed = paperFederation([{ key: generateSigningKey(), organisationNumber: '974760673', name: 'Portal', roles: ['portal'], httpBaseUrl: 'https://portal.example' }])
    const json = manifestToJson(fed.manifest) as any
    json.members[0].retiredCredentialIssuerKeys = [{ ...p256JwkOf(key), retiredAt: '2026-12-01T00:00:00.000Z' }]
    const narrowed = narrowManifest(manifestFromJson(json))
    expect(narrowed.fields).toEqual([])
    expect(narrowed.manifest!.members[0]!.retiredCredentialIssuerKeys).toEqual([{ key: expect.any(Uint8Array), retiredAt: Date.parse('2026-12-01T00:00:00Z') }])
    expect(manifestToJson(narrowed.manifest!).members[0]!.retiredCredentialIssuerKeys).toEqual([{ ...p256JwkOf(key), kid: expect.any(String), retiredAt: '2026-12-01T00:00:00.000Z' }])
    json.members[0].retiredCredentialIssuerKeys = [{ ...p256JwkOf(key), retiredAt: 'yesterday' }]
    expect(() => manifestFromJson(json)).toThrow(code('MANIFEST_INVALID'))
  })
})
