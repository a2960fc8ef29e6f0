/**
 * A registry node with some history, for the registry's page tests: NTNU and Høgskolen i
 * Gjøvik, HiG's course from 2010, the 2016 merger into NTNU, NOKUT's revocation of that course
 * in 2019, and NTNU's own catalogue imported on its node.
 */
import type { RunningFederation } from '../../src/demo/local-federation.ts'
import { federationForFile, ORG, spec, startTestFederation, waitForMesh } from './federation.ts'
import { course, institution, higInstitution } from './education.ts'

const CSV = `kind,localCode,localVersion,nameNb,nameEn,credits,nkrLevel,nusCode,iscedF,languages,gradingScale,terms,status,relations,validFrom
course,IMT1002,1,Informasjonssikkerhet,Information security,10,6,654121,0613,nb,A-F,2025H,active,,2017-08-01
study-programme,BIT,1,Bachelor i informasjonsteknologi,"Information technology, bachelor",180,6,654199,0613,nb,A-F,2025H,active,contains-mandatory:IMT1002,2017-08-01
`

const NODES = [spec('registry', ['registry'], ORG.operator), spec('nokut', ['accreditor'], ORG.accreditor), spec('ntnu', ['institution'], ORG.b)]

/** The federation with its history: the registry's URL, the institutions, the offerings' IDs. */
export type RegistryHistory = Awaited<ReturnType<typeof recordHistory>>

/** Starts the federation (registry, NOKUT, NTNU) for the test and records the history. */
export async function registryWithHistory (): Promise<RegistryHistory> {
  return await recordHistory(await startTestFederation(NODES))
}

/** The same, once for every test of the file: for tests that only read it. Returns it (after `beforeAll`). */
export function registryWithHistoryForFile (): () => RegistryHistory {
  let history: RegistryHistory | undefined
  federationForFile(NODES, {}, async (fed) => {
    history = await recordHistory(fed)
  })
  return () => {
    if (history === undefined) throw new Error('the file\'s registry is not started')
    return history
  }
}

async function recordHistory (fed: RunningFederation) {
  await waitForMesh(fed)
  const registry = fed.node('registry').education!.registry!
  const ntnu = (await registry.putInstitution(
    institution({
      organisationNumber: ORG.b,
      name: { nb: 'Norges teknisk-naturvitenskapelige universitet', en: 'Norwegian University of Science and Technology' },
      shortName: 'NTNU',
      dbhCode: '1150',
      fsNumber: '194',
      validFrom: '1996-01-01'
    })
  )).institution
  const hig = (await registry.putInstitution(
    higInstitution()
  )).institution
  const operator = { organisationNumber: ORG.operator, roles: ['registry'], operator: true }
  const old = await registry.publish([{ clientRef: 'IMT1001', offering: course({ localCode: 'IMT1001', owner: hig.id, name: { nb: 'Innføring i IT-sikkerhet', en: 'Introduction to IT security' } }), validFrom: '2010-08-01' }], operator)
  const oldId = old.results[0]!.id
  await registry.recordEvent({ id: '', type: 'merger', effectiveDate: '2016-01-01', predecessors: [ntnu.id, hig.id], successors: [ntnu.id], offerings: [], reference: 'Kongelig resolusjon 2015-06-19', note: '', recordedAt: 0 })
  await registry.recordDecision(
    { id: '', subjectType: 'offering', subject: oldId, type: 'revocation', decidedBy: '', status: 'revoked', decisionDate: '2019-06-14', validFrom: '2019-08-01', validTo: '', reference: 'NOKUT 19/01078', recordedAt: 0 },
    { organisationNumber: ORG.accreditor, roles: ['accreditor'] }
  )
  const report = await fed.node('ntnu').education!.catalogue!.importFile(CSV, 'csv')
  return { fed, http: fed.node('registry').http, url: fed.node('registry').httpUrl(), ntnu, hig, oldId, ids: report.ids as Record<string, string> }
}
