/**
 * The evidence provider's outcomes that need a clock or a failing source: a source that does not
 * answer in time, a preview left undecided and an approval not used in time give EDM:ERR:0005;
 * a retention shorter than the regulation's twelve months is refused; two decisions submitted at
 * once give one decision. On a real LevelDB, with the ports faked.
 */
import { describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { OotsProvider, DEFAULT_EVIDENCE_TYPES } from '../../../../../src/services/bridges/oots/provider.ts'
import { LifelongError, isLifelongError } from '../../../../../src/core/errors.ts'
import type { EvidenceFetcher } from '../../../../../src/services/bridges/ports.ts'
import { LogStore } from '../../../../../src/store/log/store.ts'
import { openStorage } from '../../../../../src/store/leveldb/storage.ts'
import { silentLogger } from '../../../../../src/core/observability/logger.ts'
import { tempDir } from '../../../../helpers/federation.ts'
import { fixtureResults, memoryAccessLog, tableMatcher } from '../../../../helpers/bridges.ts'
import { sampleLearnerResults } from '../../../../fixtures/bridges/sample.ts'

const SAMPLE = fileURLToPath(new URL('../../../../fixtures/bridges/oots-edm/samples-v2.0/requete.xml', import.meta.url))
let n = 0
function request (preview?: string): Uint8Array {
  let xml = readFileSync(SAMPLE, 'utf8')
    .replace('urn:uuid:1a2b3c4d-0000-4000-8000-000000000000', `urn:uuid:1a2b3c4d-0000-4000-8000-${String(++n).padStart(12, '0')}`)
    .replace('https://sr.oots.tech.ec.europa.eu/evidencetypeclassifications/DE/ca8afed6-2dc0-422a-a931-d21c3d8d370e', DEFAULT_EVIDENCE_TYPES[0]!.classification)
    .replace(/(PossibilityForPreview">\s*<rim:SlotValue[^>]*>\s*<rim:Value>)false/, '$1true')
  if (preview !== undefined) {
    xml = xml.replace(
      '<rim:Slot name="PossibilityForPreview">',
      `<rim:Slot name="PreviewLocation"><rim:SlotValue xsi:type="rim:StringValueType"><rim:Value>${preview}</rim:Value></rim:SlotValue></rim:Slot><rim:Slot name="PossibilityForPreview">`
    )
  }
  return new TextEncoder().encode(xml)
}

const ORIGIN = { gateway: { id: 'gw', name: 'Test gateway' }, requester: { id: 'urn:cef.eu:names:identifier:EAS:0009:00000000000002' } }
const L1 = { learnerId: 'L1' }
/** A source that answers at once. */
const answering: EvidenceFetcher = {
  fetch: async (_learnerId, refs) =>
    refs.map((ref) => ({ ref, credentialId: `c-${ref.resultId}`, sealedElm: 'e.y.z', pdf: new Uint8Array([37, 80, 68, 70]), issuer: { organisationNumber: '971035854', name: 'UiO', country: 'NO' }, issuedOn: '2024-06-28' }))
}

async function provider (options: { now?: () => number, retentionDays?: number, failWith?: LifelongError, evidence?: EvidenceFetcher, accessLog?: ReturnType<typeof memoryAccessLog> } = {}): Promise<OotsProvider> {
  const storage = await openStorage(tempDir())
  return new OotsProvider(
    {
      store: storage.sublevel('bridges'),
      log: await LogStore.open({ storage }),
      matcher: tableMatcher([{ learnerId: 'L1', person: { familyName: 'Dupont', givenName: 'Jean', dateOfBirth: '1992-10-22' } }]),
      results: fixtureResults({ L1: sampleLearnerResults }),
      evidence: options.evidence ?? {
        fetch: async () => {
          throw options.failWith ?? new LifelongError('timeout', 'RPC_DEADLINE_EXCEEDED', 'deadline passed')
        }
      },
      accessLog: options.accessLog ?? memoryAccessLog(),
      logger: silentLogger(),
      now: options.now
    },
    { provider: { organisationNumber: '919477822', name: 'portal', country: 'NO' }, baseUrl: () => 'https://portal.example.no', retentionDays: options.retentionDays }
  )
}

const locationOf = (body: Buffer): string => /<rim:Value>(https:[^<]+\/oots\/preview\/[^<]+)<\/rim:Value>/.exec(body.toString())![1]!

describe('OOTS provider timeouts and retention', () => {
  it('answers EDM:ERR:0005 when the source does not answer in time, and when the preview expired undecided', async () => {
    let clock = Date.parse('2026-11-28T10:00:00Z')
    const p = await provider({ now: () => clock })
    const first = await p.handle(request(), ORIGIN)
    expect(first.outcome).toBe('EDM:ERR:0002')
    const location = locationOf(first.body)
    await p.decide(location.split('/').pop()!, L1, 'approve', ['uio-d-000201'])
    const slow = await p.handle(request(location), ORIGIN)
    expect(slow.outcome).toBe('EDM:ERR:0005')
    expect(slow.body.toString()).toContain('rs:TimeoutExceptionType')
    // Nothing was sent: the approval is still there for a new follow-up (the source is still too slow).
    expect((await p.handle(request(location), ORIGIN)).body.toString()).toContain('in time')

    const again = await p.handle(request(), ORIGIN)
    clock += 2 * 3600_000
    const expired = await p.handle(request(locationOf(again.body)), ORIGIN)
    expect(expired.outcome).toBe('EDM:ERR:0005')
    expect(expired.body.toString()).toContain('preview expired')
  })

  it('gives nothing for an approval past the preview\'s expiry, however good the source', async () => {
    let clock = Date.parse('2026-11-28T10:00:00Z')
    const p = await provider({ now: () => clock, evidence: answering })
    const fresh = locationOf((await p.handle(request(), ORIGIN)).body)
    await p.decide(fresh.split('/').pop()!, L1, 'approve', ['uio-d-000201'])
    expect((await p.handle(request(fresh), ORIGIN)).outcome).toBe('evidence')

    const location = locationOf((await p.handle(request(), ORIGIN)).body)
    await p.decide(location.split('/').pop()!, L1, 'approve', ['uio-d-000201'])
    clock += 3600_000
    const late = await p.handle(request(location), ORIGIN)
    expect(late.outcome).toBe('EDM:ERR:0005')
    expect(late.body.toString()).toContain('expired')
  })

  it('takes one of two decisions submitted at once, and records only that one', async () => {
    const accessLog = memoryAccessLog()
    const p = await provider({ evidence: answering, accessLog })
    const previewId = locationOf((await p.handle(request(), ORIGIN)).body).split('/').pop()!
    const outcomes = await Promise.allSettled([
      p.decide(previewId, L1, 'approve', ['uio-d-000201']),
      p.decide(previewId, L1, 'refuse', [])
    ])
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected'])
    const refused = outcomes.find((o) => o.status === 'rejected')!
    expect(isLifelongError(refused.reason, 'OOTS_PREVIEW_DECIDED')).toBe(true)
    expect(accessLog.rows.filter((r) => r.entry.operation.startsWith('oots.preview-'))).toHaveLength(1)
  })

  it('refuses a retention shorter than twelve months', async () => {
    await expect(provider({ retentionDays: 90 })).rejects.toSatisfy((e: unknown) => isLifelongError(e, 'OOTS_RETENTION_TOO_SHORT'))
  })
})
