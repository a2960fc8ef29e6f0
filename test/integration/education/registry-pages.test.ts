/**
 * The registry's web pages on a real registry node: search with facets by name, an offering's
 * page with its history as a timeline (the merger that made NTNU its owner, NOKUT's decisions)
 * and "was it accredited on D", an institution's chain, statistics with charts; Bokmål,
 * Nynorsk and English; errors as pages.
 */
import { describe, expect, it } from 'vitest'
import { registryWithHistory } from '../../helpers/registry-history.ts'

describe('the registry web pages', () => {
  it('search, offering with its timeline and accreditation, institution, statistics; three languages; errors as pages', { timeout: 120_000 }, async () => {
    const f = await registryWithHistory()
    const get = async (url: string): Promise<{ status: number, type: string, body: string }> => {
      const r = await f.http.inject({ url })
      return { status: r.statusCode, type: String(r.headers['content-type']), body: r.body }
    }
    const search = await get('/registry?q=informasjon&lang=nb')
    expect(search.status).toBe(200)
    expect(search.type).toMatch(/text\/html/)
    expect(search.body).toContain('<html lang="nb">')
    expect(search.body).toContain('Informasjonssikkerhet')
    // Names, never bare IDs: the owner and the institution facet show NTNU's name.
    expect(search.body).toContain('Norges teknisk-naturvitenskapelige universitet (NTNU)')
    expect(search.body).toMatch(/2 tilbud/)
    // A facet value is a link that adds the filter; the institution by its short name.
    expect(search.body).toContain(`href="/registry?q=informasjon&amp;institution=${f.ntnu.id}&amp;lang=nb"`)
    const filtered = await get('/registry?institution=NTNU&lang=en')
    expect(filtered.body).toContain('<html lang="en">')
    expect(filtered.body).toContain('3 offerings')
    expect(filtered.body).toContain('Norwegian University of Science and Technology (NTNU)')
    const nn = await get('/registry?lang=nn')
    expect(nn.body).toContain('Søk i utdanningstilbod')

    // The merged college's course: owned by HiG, then NTNU through the merger, then revoked.
    const offering = await get(`/registry/offerings/${f.oldId}?on=2020-01-01&lang=en`)
    expect(offering.status).toBe(200)
    expect(offering.body).toContain('Introduction to IT security')
    const timeline = offering.body.slice(offering.body.indexOf('<ol class="timeline">'))
    expect(timeline.indexOf('Owned by')).toBeLessThan(timeline.indexOf('after the merger (Kongelig resolusjon 2015-06-19)'))
    expect(timeline).toContain('Høgskolen i Gjøvik</span> (HiG)')
    expect(timeline).toContain('Decision: revoked (NOKUT 19/01078)')
    expect(offering.body).toContain('No: not accredited on 2020-01-01.')
    const before = await get(`/registry/offerings/${f.oldId}?on=2015-01-01&lang=nb`)
    expect(before.body).toContain('Ja: akkreditert 2015-01-01.')
    const programme = await get(`/registry/offerings/${f.ids.BIT}?lang=nb`)
    expect(programme.body).toContain(`<a href="/registry/offerings/${f.ids.IMT1002}?lang=nb">Informasjonssikkerhet</a>`)

    const hig = await get(`/registry/institutions/${f.hig.id}?lang=nb`)
    expect(hig.body).toContain('Høgskolen i Gjøvik')
    expect(hig.body).toContain('Er i dag')
    expect(hig.body).toContain('Kjede av sammenslåinger')
    expect(hig.body).toContain('sammenslåingen')

    const stats = await get('/registry/statistics?lang=en')
    expect(stats.body).toContain('<svg')
    expect(stats.body).toContain('By institution')
    expect(stats.body).toMatch(/<td>NTNU<\/td><td>3<\/td>/)

    // Errors are pages, with their code.
    const missing = await f.http.inject({ url: '/registry/offerings/O000999990?lang=en' })
    expect(missing.statusCode).toBe(404)
    expect(missing.headers['content-type']).toMatch(/text\/html/)
    expect(missing.headers['x-error-code']).toBe('EDUCATION_UNKNOWN_OFFERING')
    const bad = await f.http.inject({ url: '/registry?institution=Nowhere' })
    expect(bad.statusCode).toBe(400)
    expect(bad.headers['content-type']).toMatch(/text\/html/)
  })
})
