/**
 * The harvest's mappings and schedule, without a node: grades and terms from the standards'
 * vocabulary, OOAPI entries that do not map reported with their path, and a schedule that runs
 * a source every interval without two runs of it at once.
 */
import { describe, expect, it, vi } from 'vitest'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gradeOf, pseudonymiser, termOf, type MappingContext } from '../../../../../src/services/registry/results/harvest/mapping.ts'
import { mapElmo } from '../../../../../src/services/registry/results/harvest/elmo.ts'
import { packElmo } from '../../../../../src/services/bridges/emrex/packing.ts'
import { mapOoapi } from '../../../../../src/services/registry/results/harvest/ooapi.ts'
import { Harvester } from '../../../../../src/services/registry/results/harvest/harvester.ts'
import type { ImportStaging } from '../../../../../src/services/registry/results/staging.ts'
import { silentLogger } from '../../../../../src/core/observability/logger.ts'
import { tempDir } from '../../../../helpers/federation.ts'

const ctx: MappingContext = { sourceId: 's', offeringByCode: (c) => c.toUpperCase() === 'IN1000' ? 'O000000011' : undefined, pseudonym: pseudonymiser(new Uint8Array(32)) }

describe('harvest mappings', () => {
  it('reads grades and terms as the registry knows them', () => {
    expect(gradeOf('B')).toEqual({ scale: 'A-F', value: 'B' })
    expect(gradeOf('B (very good)')).toEqual({ scale: 'A-F', value: 'B' })
    expect(gradeOf('Bestått')).toEqual({ scale: 'pass-fail', value: 'passed' })
    expect(gradeOf('ikke bestått')).toEqual({ scale: 'pass-fail', value: 'failed' })
    expect(gradeOf('5')).toEqual({ scale: '1-6', value: '5' })
    expect(gradeOf(undefined, 'failed')).toEqual({ scale: 'pass-fail', value: 'failed' })
    expect(gradeOf('45.1')).toBeUndefined()
    expect(termOf('2025-12-10')).toBe('2025H')
    expect(termOf('2025-06-02')).toBe('2025V')
    // A pseudonym hides the value and is stable under one key.
    expect(ctx.pseudonym('14839940026')).toBe(ctx.pseudonym('14839940026'))
    expect(ctx.pseudonym('14839940026')).not.toContain('1483')
  })

  it('OOAPI: entries that do not map are reported with their path, nothing else of them', () => {
    const page = JSON.stringify({
      pageNumber: 1,
      hasNextPage: false,
      items: [
        { associationId: 'a', result: { state: 'completed', score: 'B', resultDate: '2025-12-10' }, person: { otherCodes: [] }, offering: { course: { primaryCode: { code: 'IN1000' } } } },
        {
          associationId: 'b',
          result: { state: 'completed', score: 'B', resultDate: '2025-12-10' },
          person: { otherCodes: [{ codeType: 'nationalIdentityNumber', code: '14839940026' }] },
          offering: { course: { primaryCode: { code: 'XX1' } } }
        },
        {
          associationId: 'c',
          result: { state: 'completed', score: 'B', resultDate: '2025-12-10' },
          person: { givenName: 'Kari', surname: 'N', otherCodes: [{ codeType: 'nationalIdentityNumber', code: '14839940026' }] },
          offering: { course: { primaryCode: { code: 'in1000' } } }
        }
      ]
    })
    const m = mapOoapi([page, '{"nope":1}'], ctx)
    expect(m.problems.map((p) => [p.path, p.code])).toEqual([
      ['/pages/0/items/0/person/otherCodes', 'HARVEST_MAPPING_INVALID'],
      ['/pages/0/items/1/offering', 'HARVEST_MAPPING_INVALID'],
      ['/pages/1', 'HARVEST_DOCUMENT_INVALID']
    ])
    expect(m.results).toEqual([{ externalId: 's:c', learner: { nationalId: '14839940026' }, kind: 'course-result', offeringId: 'O000000011', achievedOn: '2025-12-10', term: '2025H', grades: [{ scale: 'A-F', value: 'B' }] }])
    expect(m.learners).toEqual([{ nationalId: '14839940026', givenNames: 'Kari', familyName: 'N' }])
  })
})

describe('harvest of ELMO', () => {
  it('reads a document as EMREX transfers it (gzip + Base64) like plain XML', () => {
    const xml = `<elmo xmlns="https://github.com/emrex-eu/elmo-schemas/tree/v1"><learner><identifier type="nationalIdentifier">14839940026</identifier><givenNames>Kari</givenNames><familyName>N</familyName></learner>
      <report><learningOpportunitySpecification><identifier type="local">IN1000</identifier><specifies><learningOpportunityInstance><identifier type="local">r1</identifier><date>2025-12-10</date><resultLabel>A</resultLabel></learningOpportunityInstance></specifies></learningOpportunitySpecification></report></elmo>`
    const plain = mapElmo(xml, ctx)
    expect(plain.problems).toEqual([])
    expect(plain.results).toMatchObject([{ externalId: 's:r1', offeringId: 'O000000011', grades: [{ scale: 'A-F', value: 'A' }] }])
    expect(mapElmo(packElmo(xml), ctx)).toEqual(plain)
    expect(mapElmo('not base64 at all!', ctx).problems[0]?.code).toBe('HARVEST_DOCUMENT_INVALID')
  })
})

describe('harvest schedule', () => {
  it('runs a source every interval, never two runs of it at once', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] })
    try {
      const dir = tempDir()
      const file = join(dir, 'page.json')
      // Each run waits in the registry's check until released.
      let release: () => void = () => {}
      let gate = Promise.resolve()
      let begun = 0
      const staging = {
        begin: () => {
          begun++
          gate = new Promise<void>((resolve) => {
            release = resolve
          })
          return 'i'
        },
        add: async () => {
          await gate
          return { importId: 'i', learners: 0, results: 0, problems: [] }
        },
        commit: async () => ({ learners: { created: 0, updated: 0, unchanged: 0 }, results: [] }),
        abort: () => {}
      } as unknown as ImportStaging
      // One OOAPI entry: each run holds in the registry's check until released.
      writeFileSync(
        file,
        JSON.stringify({
          items: [{
            associationId: 'c',
            result: { state: 'completed', score: 'B', resultDate: '2025-12-10' },
            person: { otherCodes: [{ codeType: 'nationalIdentityNumber', code: '14839940026' }] },
            offering: { course: { primaryCode: { code: 'IN1000' } } }
          }]
        })
      )
      const h = new Harvester({ staging, fetch: async () => '', offeringByCode: ctx.offeringByCode, validateElm: () => () => [], pseudonymKey: async () => new Uint8Array(32), logger: silentLogger() }, [{
        id: 'fs',
        format: 'ooapi',
        file,
        intervalMinutes: 5,
        allowPrivateNetwork: false,
        maxBytes: 1 << 20
      }])
      h.afterStart()
      expect(h.latest('fs')).toBeUndefined()
      vi.advanceTimersByTime(5 * 60_000)
      expect(h.latest('fs')).toMatchObject({ trigger: 'schedule', state: 'running' })
      await vi.waitFor(() => {
        expect(begun).toBe(1)
      })
      // The next tick finds it still running: no second run.
      vi.advanceTimersByTime(5 * 60_000)
      expect(() => h.begin('fs')).toThrow(/running/)
      release()
      await vi.waitFor(() => {
        expect(h.latest('fs')?.state).toBe('done')
      })
      expect(begun).toBe(1)
      vi.advanceTimersByTime(5 * 60_000)
      await vi.waitFor(() => {
        expect(begun).toBe(2)
      })
      release()
      await h.stop()
    } finally {
      vi.useRealTimers()
    }
  })
})
