import { describe, expect, it } from 'vitest'
import { startTestFederation, spec, ORG, waitForMesh } from '../../helpers/federation.ts'
import { testCatalogue, course, OFFERINGS } from '../../helpers/results.ts'
import type { OfferingInfo } from '../../../src/services/registry/results/ports.ts'
import { syntheticPerson } from '../../../src/demo/synthetic.ts'
import { GetCells } from '../../../src/services/registry/results/statistics.ts'
import { STATISTICS_PURPOSE } from '../../../src/services/statistics/collector.ts'

const people = Array.from({ length: 10 }, (_, i) => syntheticPerson(5_000_000 + i * 7919))
const learner = (i: number): any => ({ nationalId: people[i]!.nationalId, givenNames: people[i]!.given, familyName: people[i]!.family, birthDate: people[i]!.birthDate })

describe('education statistics', () => {
  it('each institution computes its cells from its own data; the registry combines them and publishes JSON, CSV and a page, small cells suppressed', async () => {
    // The registry's NUS codes: UiO's course in NUS broad field 5, NTNU's in 7 (both ISCED-F 06).
    const catalogue = testCatalogue({ ...OFFERINGS, IN1000: { ...(OFFERINGS.IN1000 as OfferingInfo), nusCode: '654121' }, TDT4100: { ...(OFFERINGS.TDT4100 as OfferingInfo), nusCode: '672101' } })
    const fed = await startTestFederation([
      spec('registry', ['registry'], ORG.operator),
      spec('uio', ['institution'], ORG.a),
      spec('ntnu', ['institution'], ORG.b),
      spec('admission', ['admission'], '919477830')
    ], { nodeOptions: () => ({ parts: { offerings: () => catalogue } }) })
    await waitForMesh(fed)
    const uio = fed.node('uio')
    const ntnu = fed.node('ntnu')
    // UiO: eight learners passed IN1000 (10 credits) in 2024, one failed; NTNU: two passed TDT4100 (7.5).
    await uio.results!.registry.ingest({
      learners: people.slice(0, 9).map((_, i) => learner(i)),
      results: [...people.slice(0, 8).map((p, i) => ({ ...course(`u-${i}`, p, 'IN1000', 'B'), credits: 10 })), { ...course('u-8', people[8]!, 'IN1000', 'F'), credits: 10 }]
    })
    await ntnu.results!.registry.ingest({ learners: [learner(8), learner(9)], results: [course('n-1', people[8]!, 'TDT4100', 'A'), course('n-2', people[9]!, 'TDT4100', 'C')] })

    // The institution's cells: counts only, no learner.
    const cells = await fed.node('registry').client.call(uio.peerId, GetCells, {}, STATISTICS_PURPOSE)
    expect(cells.cells!.filter((c) => c.measure === 'credits').reduce((s, c) => s + Number(c.value), 0)).toBe(800)
    expect(JSON.stringify(cells)).not.toContain(people[0]!.nationalId)
    // Only the registry may ask.
    await expect(fed.node('admission').client.call(uio.peerId, GetCells, {}, STATISTICS_PURPOSE)).rejects.toMatchObject({ code: 'RPC_ROLE_NOT_ALLOWED' })

    const registry = fed.node('registry')
    const json = (await registry.http.inject({ method: 'GET', url: '/statistics/education?measure=credits&by=institution' })).json()
    // NTNU's two people are under 5: suppressed; UiO's cell then goes too, or the total would give NTNU's away.
    expect(json.cells).toEqual([
      { key: [ORG.a], people: null, value: null, suppressed: 'secondary' },
      { key: [ORG.b], people: null, value: null, suppressed: 'primary' }
    ])
    expect(json.total).toEqual({ people: 10, value: 950 })
    expect(json.sources.every((s: { ok: boolean }) => s.ok)).toBe(true)
    // By field, the two institutions' cells add up to one cell of ten people: shown.
    expect((await registry.http.inject({ method: 'GET', url: '/statistics/education?measure=credits&by=field' })).json().cells).toEqual([{ key: ['06'], people: 10, value: 950, suppressed: null }])
    const byYear = (await registry.http.inject({ method: 'GET', url: '/statistics/education?measure=credits&by=year' })).json()
    expect(byYear.cells).toEqual([{ key: ['2024'], people: 10, value: 950, suppressed: null }])

    // By NUS broad field, from the offerings' NUS codes: NTNU's 2 people are a small cell, and
    // UiO's 8 are hidden too, or the total would give them away. The ISCED-F table (one cell of
    // 10) and the cross table then show nothing that gives the 2 away.
    expect(new Set(cells.cells!.filter((c) => c.measure === 'credits').map((c) => c.nus))).toEqual(new Set(['5']))
    const byNus = (await registry.http.inject({ method: 'GET', url: '/statistics/education?measure=credits&by=nus' })).json()
    expect(byNus.cells).toEqual([{ key: ['5'], people: null, value: null, suppressed: 'secondary' }, { key: ['7'], people: null, value: null, suppressed: 'primary' }])
    const cross = (await registry.http.inject({ method: 'GET', url: '/statistics/education?measure=credits&by=field,nus' })).json()
    expect(cross.cells.map((c: { suppressed: string | null }) => c.suppressed)).toEqual(['secondary', 'primary'])
    expect(cross.columnTotals).toEqual([])
    expect((await registry.http.inject({ method: 'GET', url: '/statistics/education.csv?measure=credits&by=nus' })).body).toBe('nus,people,credits,suppressed\n5,,,secondary\n7,,,primary\n')
    expect((await registry.http.inject({ method: 'GET', url: '/statistics/education/page?measure=credits&by=nus&lang=en' })).body).toContain('field (NUS)')
    // A filter on a hidden cell is refused: its table's total would be the cell.
    const inside = await registry.http.inject({ method: 'GET', url: '/statistics/education?measure=credits&by=institution&nus=5' })
    expect([inside.statusCode, inside.json().code]).toEqual([403, 'STATISTICS_QUERY_TOO_NARROW'])

    const csv = await registry.http.inject({ method: 'GET', url: '/statistics/education.csv?measure=credits&by=year' })
    expect(csv.headers['content-type']).toMatch(/^text\/csv/)
    expect(csv.body).toBe('year,people,credits,suppressed\n2024,10,95,\n')
    const page = await registry.http.inject({ method: 'GET', url: '/statistics/education/page?measure=credits&by=institution&lang=en' })
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('<svg')
    expect(page.body).toContain('suppressed')
    // A page in the registry's site of the one shell, in the reader's language.
    expect(page.body).toMatch(/<html lang="en"[\s\S]*<main[\s\S]*<h1[^>]*>Education statistics: credits by institution</)
    const nynorsk = await registry.http.inject({ method: 'GET', url: '/statistics/education/page?measure=credits&by=institution&lang=nn' })
    expect(nynorsk.body).toMatch(/<html lang="nn"[\s\S]*Utdanningsstatistikk: studiepoeng etter lærestad/)
    expect(nynorsk.body).toContain('skjult')

    // Enrolments count in every year they were open on 1 October; a diploma is a completion.
    await uio.results!.enrolments.record(
      people.slice(0, 6).map((p, i) => ({ externalId: `st-${i}`, learner: { nationalId: p.nationalId }, offeringId: 'BAINF', studyLoadPercent: 100, status: 'active', startDate: '2023-08-15', ...(i === 0 ? { endDate: '2024-06-20' } : {}) }))
    )
    await uio.results!.registry.ingest({ results: people.slice(0, 5).map((p, i) => ({ externalId: `d-${i}`, learner: { nationalId: p.nationalId }, kind: 'diploma', offeringId: 'BAINF', achievedOn: '2024-06-20', issuedOn: '2024-06-28' })) })
    // The registry keeps what it collected for a while; dropped, the next query collects anew.
    registry.parts.statistics!.invalidate()
    const enrolled = (await registry.http.inject({ method: 'GET', url: `/statistics/education?measure=enrolments&by=year&institution=${ORG.a}` })).json()
    expect(enrolled.cells.map((c: { key: string[], people: number | null }) => [c.key[0], c.people])).toEqual([['2023', 6], ...Array.from({ length: new Date().getUTCFullYear() - 2023 }, (_, i) => [String(2024 + i), 5])])
    const completed = (await registry.http.inject({ method: 'GET', url: '/statistics/education?measure=completions&by=level' })).json()
    expect(completed.cells).toEqual([{ key: ['6'], people: 5, value: 5, suppressed: null }])

    // A query that would isolate fewer than 5 people is refused.
    const narrow = await registry.http.inject({ method: 'GET', url: `/statistics/education?measure=credits&by=year&institution=${ORG.b}` })
    expect([narrow.statusCode, narrow.json().code]).toEqual([403, 'STATISTICS_QUERY_TOO_NARROW'])
    expect((await registry.http.inject({ method: 'GET', url: '/statistics/education?measure=credits&by=shoe' })).json().code).toBe('STATISTICS_QUERY_INVALID')
  }, 120_000)
})
