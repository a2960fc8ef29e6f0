/**
 * The sample catalogue that `npm start` loads: several institutions, hundreds of programmes and
 * thousands of courses, the 2016 merger into NTNU and a revoked accreditation, all loaded through
 * the catalogue protocol; loading it again changes nothing.
 */
import { describe, expect, it } from 'vitest'
import { loadSampleCatalogue } from '../../../src/demo/education.ts'
import { ORG, spec, startTestFederation, tempDir, waitForMesh } from '../../helpers/federation.ts'
import { SAMPLE_INSTITUTIONS } from '../../../src/demo/education-sample.ts'

describe('sample catalogue', () => {
  it('loads the local federation\'s catalogue, and a second load changes nothing', async () => {
    const fed = await startTestFederation([
      spec('registry', ['registry'], ORG.operator),
      spec('nokut', ['accreditor'], ORG.accreditor),
      spec('uio', ['institution'], SAMPLE_INSTITUTIONS[0]?.organisationNumber),
      spec('ntnu', ['institution'], SAMPLE_INSTITUTIONS[1]?.organisationNumber),
      spec('uib', ['institution'], SAMPLE_INSTITUTIONS[2]?.organisationNumber)
    ])
    await waitForMesh(fed)
    const dir = tempDir()
    const summary = await loadSampleCatalogue(fed, dir)
    expect(summary.institutions).toBe(10)
    expect(summary.programmes).toBeGreaterThan(300)
    expect(summary.courses).toBeGreaterThan(3000)
    expect(summary.files.map((f) => f.split('/').pop())).toEqual(['uio.csv', 'ntnu.csv', 'uib.json'])
    const registry = fed.node('registry').education?.registry
    if (registry === undefined) throw new Error('no registry')

    // The merger: a HiG programme keeps its ID, was issued by HiG in 2014 and is NTNU's now.
    const merged = summary.examples.mergedProgramme as string
    expect(registry.getOffering(merged, { validOn: '2014-10-01' }).issuer?.shortName).toBe('HiG')
    expect(registry.getOffering(merged).currentOwner?.shortName).toBe('NTNU')
    expect(registry.offeringHistory(merged).versions.map((v) => v.publishedBy)).toEqual([ORG.operator, SAMPLE_INSTITUTIONS[1]?.organisationNumber])
    expect(registry.institutionHistory(summary.examples.hig as string).successorToday?.shortName).toBe('NTNU')
    // The offerings the sample results refer to, with the IDs the registry minted (OsloMet and
    // Vestland have no node here, so their own offerings are not published).
    const hist = summary.resultOfferings['hist/TDAT1001'] as string
    expect(registry.getOffering(hist, { validOn: '2015-12-15' }).issuer?.shortName).toBe('HiST')
    expect(registry.getOffering(hist).currentOwner?.shortName).toBe('NTNU')
    expect(registry.getOffering(summary.resultOfferings['uio/BAINF-PSA'] as string).version.offering.relations).toHaveLength(4)
    expect(Object.keys(summary.resultOfferings).filter((k) => k.startsWith('uib/') || k.startsWith('ntnu/'))).toEqual(['ntnu/TDT4100', 'ntnu/TDT4120', 'ntnu/MLPRAKSIS', 'uib/INF100'])
    expect(summary.resultOfferings['oslomet/SYK1000']).toBeUndefined()
    // The revocation.
    const revoked = summary.examples.revokedProgramme as string
    expect(registry.wasAccredited(revoked, '2015-01-01').accredited).toBe(true)
    expect(registry.wasAccredited(revoked, '2020-01-01')).toMatchObject({ accredited: false, status: 'revoked' })
    expect(registry.statistics().byInstitution[summary.examples.ntnu as string]?.count).toBeGreaterThan(2000)

    const size = fed.node('registry').log.store.size
    const again = await loadSampleCatalogue(fed, dir)
    expect(again.offerings).toBe(summary.offerings)
    expect(fed.node('registry').log.store.size).toBe(size)
  }, 180_000)
})
