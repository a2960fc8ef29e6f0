/**
 * {@link OfferingCatalogue} over the National Education Registry's cached offering lookup
 * (`OfferingLookup` of the education registry: the offering in force on a day, its owner today
 * and the issuer on that day). Typed structurally, so that the results registry does not import
 * the education registry; the composition root hands the lookup in.
 */
import type { InstitutionInfo, OfferingCatalogue, OfferingInfo } from './ports.ts'
import type { Localised } from './model.ts'

interface RegistryInstitution {
  id: string
  organisationNumber: string
  name: Localised
  dbhCode?: string
  fsNumber?: string
}

/** What this needs of the education registry's `OfferingFacts`. */
export interface RegistryOfferingFacts {
  version: {
    offering: {
      id: string
      kind: string
      status?: string
      localCode: string
      name: Localised
      credits: number
      nkrLevel: string
      nusCode?: string
      iscedF: string
      languages: string[]
      gradingScale: string
      learningOutcomes: Localised
      links?: { admissionRequirement?: string, genderPoints?: string }
    }
  }
  eqfLevel: number | null
  currentOwner: RegistryInstitution | undefined
  issuer: RegistryInstitution | undefined
}

export interface RegistryLookup {
  find(id: string, date: string): Promise<RegistryOfferingFacts | undefined>
}

function institution (i: RegistryInstitution | undefined): InstitutionInfo | undefined {
  if (i === undefined) return undefined
  return {
    id: i.id,
    organisationNumber: i.organisationNumber,
    name: { ...(i.name.nb === undefined ? {} : { nb: i.name.nb }), ...(i.name.nn === undefined ? {} : { nn: i.name.nn }), ...(i.name.en === undefined ? {} : { en: i.name.en }) },
    ...(i.dbhCode === undefined || i.dbhCode === '' ? {} : { dbhCode: i.dbhCode }),
    ...(i.fsNumber === undefined || i.fsNumber === '' ? {} : { fsNumber: i.fsNumber })
  }
}

export function registryCatalogue (lookup: RegistryLookup): OfferingCatalogue {
  return {
    async find (id, date): Promise<OfferingInfo | undefined> {
      const facts = await lookup.find(id, date)
      if (facts === undefined) return undefined
      const o = facts.version.offering
      const owner = institution(facts.currentOwner)
      const issuer = institution(facts.issuer)
      return {
        id: o.id,
        kind: o.kind,
        ...(o.status === undefined || o.status === '' ? {} : { status: o.status }),
        localCode: o.localCode,
        title: o.name,
        credits: o.credits,
        nkrLevel: o.nkrLevel,
        ...(facts.eqfLevel === null ? {} : { eqfLevel: facts.eqfLevel }),
        iscedF: o.iscedF,
        ...(o.nusCode === undefined || o.nusCode === '' ? {} : { nusCode: o.nusCode }),
        languages: o.languages,
        gradingScale: o.gradingScale,
        learningOutcomes: o.learningOutcomes,
        ...(o.links?.admissionRequirement === undefined ? {} : { admissionRequirement: o.links.admissionRequirement }),
        ...(o.links?.genderPoints === undefined ? {} : { genderPoints: o.links.genderPoints }),
        ...(owner === undefined ? {} : { owner }),
        ...(issuer === undefined ? {} : { issuer })
      }
    }
  }
}
