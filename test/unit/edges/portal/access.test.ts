/**
 * "Who saw my data" as events: the rows the logs keep become one sentence each; one look at a
 * page is one event however many sources it asked; the reads an opening of a share or a
 * transfer causes are details of it; the learner's own use is hidden unless asked for; filters
 * and pages.
 */
import { describe, expect, it } from 'vitest'
import { accessEvents, accessQuery, pageOfEvents, type AccessRow } from '../../../../src/edges/portal/access.ts'

const T = Date.UTC(2026, 11, 3, 9, 0)
const own = (at: number): AccessRow[] => [
  { from: 'index', at, who: 'Vitnemålsportalen', operation: 'index.find-result-sources', kind: 'read', change: '', purpose: 'portal.own-results', legalBasis: 'gdpr-6-1-e' },
  { from: 'institution', at: at + 200, who: 'Vitnemålsportalen', operation: 'results.get', purpose: 'portal.own-results', legalBasis: 'gdpr-6-1-e', count: 3, where: 'Universitetet i Oslo' },
  { from: 'institution', at: at + 300, who: 'Vitnemålsportalen', operation: 'results.get', purpose: 'portal.own-results', legalBasis: 'gdpr-6-1-e', count: 2, where: 'NTNU' },
  { from: 'institution', at: at + 350, who: 'Vitnemålsportalen', operation: 'results.get', purpose: 'portal.own-results', legalBasis: 'gdpr-6-1-e', count: 0, where: 'UiB' }
]

describe('who saw my data', () => {
  it('one look at My results is one event, not a row per source (it was 4 rows a look)', () => {
    const events = accessEvents([...own(T), ...own(T + 300_000)], 'en')
    expect(events).toHaveLength(2)
    expect(events.every((e) => e.own && e.text === 'You opened My results, and we fetched your results from 3 institutions.')).toBe(true)
    expect(events[0]).toMatchObject({ purpose: 'you wanted to see your own results', legalBasis: 'a task in the public interest (GDPR Article 6(1)(e))' })
  })

  it('an opening of a share in plain words, with what each source sent; a wrong code and a lock', () => {
    const rows: AccessRow[] = [
      { from: 'share', at: T + 60_000, shareId: 's', who: 'Equinor ASA', recipient: 'Equinor ASA', createdAt: T - 86_400_000, outcome: 'granted', useNumber: 1 },
      { from: 'institution', at: T + 60_500, who: 'Vitnemålsportalen', operation: 'results.get', purpose: 'portal.share-view', legalBasis: 'gdpr-6-1-a', count: 2, where: 'Universitetet i Oslo' },
      { from: 'share', at: T + 30_000, shareId: 's', who: 'Equinor ASA', recipient: 'Equinor ASA', createdAt: T - 86_400_000, outcome: 'wrong-code', useNumber: 0 },
      { from: 'share', at: T + 40_000, shareId: 's', who: 'Equinor ASA', recipient: 'Equinor ASA', createdAt: T - 86_400_000, outcome: 'locked', useNumber: 0 }
    ]
    const en = accessEvents(rows, 'en')
    expect(en.map((e) => e.text)).toEqual([
      'Equinor ASA opened the share you made on 2 December.'.replace('Equinor ASA', '“Equinor ASA”'),
      'The share with “Equinor ASA” was locked after too many wrong codes.',
      'Someone tried to open the share with “Equinor ASA” with a wrong code.'
    ])
    expect(en[0]!.details).toEqual(['Universitetet i Oslo sent 2 results.'])
    expect(accessEvents(rows, 'nb')[0]!.text).toBe('«Equinor ASA» åpnet delingen du laget 2. desember.')
    expect(accessEvents(rows, 'nn')[0]!.text).toBe('«Equinor ASA» opna delinga du laga 2. desember.')
  })

  it('transfers abroad, OOTS and the wallet, and others\' reads, each in words; unknown codes as they were recorded', () => {
    const rows: AccessRow[] = [
      { from: 'bridge', at: T, who: 'Uppsala universitet (SE)', operation: 'emrex.results-sent (2)', purpose: 'emrex.transfer', legalBasis: 'gdpr-6-1-a', reference: 't1' },
      { from: 'institution', at: T - 1000, who: 'Vitnemålsportalen', operation: 'results.get', purpose: 'emrex.transfer', legalBasis: 'gdpr-6-1-a', count: 2, where: 'NTNU' },
      { from: 'bridge', at: T + 1, who: 'Ministère', operation: 'oots.evidence-sent', purpose: 'oots.evidence-exchange', legalBasis: 'gdpr-6-1-c' },
      { from: 'institution', at: T + 2, who: 'Samordna opptak', operation: 'results.get', purpose: 'admission.2027', legalBasis: 'gdpr-6-1-e', count: 1, where: 'NTNU' },
      { from: 'index', at: T + 3, who: 'NTNU', operation: 'index.register-entries', kind: 'write', change: 'pointer-registered', purpose: 'results.register', legalBasis: 'gdpr-6-1-e' }
    ]
    const events = accessEvents(rows, 'en')
    const text = events.map((e) => e.text)
    expect(text).toContain('Uppsala universitet (SE) received 2 results from you through EMREX.')
    expect(text).toContain('Ministère received your evidence through OOTS.')
    expect(text).toContain('Samordna opptak read 1 of your results at NTNU.')
    expect(text).toContain('NTNU told the national index that it holds results for you.')
    expect(events.find((e) => e.text.startsWith('Uppsala'))!.details).toEqual(['The Diploma portal fetched your results from NTNU because you wanted to send results to an institution abroad (EMREX).'])
    expect(events.find((e) => e.text.startsWith('Samordna'))!.purpose).toBe('admission.2027')
    expect(events.every((e) => !e.own)).toBe(true)
  })

  it('hides the learner\'s own use unless asked for, filters by kind and pages', () => {
    const rows: AccessRow[] = [...own(T)]
    for (let i = 0; i < 45; i++) rows.push({ from: 'index', at: T + 100_000 + i * 60_000, who: 'NTNU', operation: 'index.check-enrolment', kind: 'read', change: '', purpose: 'loan.check', legalBasis: 'gdpr-6-1-c' })
    const events = accessEvents(rows, 'nb')
    const first = pageOfEvents(events, accessQuery({}))
    expect([first.total, first.pages, first.items.length, first.ownHidden]).toEqual([45, 3, 20, 1])
    expect(first.items[0]!.text).toBe('NTNU sjekket i den nasjonale indeksen om du er student.')
    expect(pageOfEvents(events, accessQuery({ page: '3' })).items).toHaveLength(5)
    expect(pageOfEvents(events, accessQuery({ page: '9' })).page).toBe(3)
    expect(pageOfEvents(events, accessQuery({ show: 'own' })).items.map((e) => e.text)).toEqual(['Du åpnet Mine resultater, og vi hentet resultatene dine fra 3 læresteder.'])
    expect(pageOfEvents(events, accessQuery({ show: 'all', what: 'shares' })).total).toBe(0)
    expect(accessQuery({ show: 'everything', what: '<script>', page: '-1' })).toEqual({ show: 'others', what: 'all', page: 1 })
  })
})
