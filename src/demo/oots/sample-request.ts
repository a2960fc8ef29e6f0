/**
 * DEVELOPMENT ONLY. An EDM Evidence Request (`oots-edm:v2.0`, TDD 4.5.1) as a foreign
 * procedure portal would send it through its access point, for the simulated gateway of the
 * local federation: about one person, for one of our evidence types, first or follow-up (with
 * the `PreviewLocation` the first answer gave). Built on the namespace-aware DOM, like the
 * responses.
 */
import { randomUUID } from 'node:crypto'
import { NS, XmlBuilder } from '../../services/bridges/oots/xml.ts'

export interface SampleRequestInput {
  person: { familyName: string, givenName: string, dateOfBirth: string }
  /** The requester as the message names it: `<scheme>:<identifier>` and a name. */
  requester: { id: string, name: string, country: string }
  evidenceClassification: string
  evidenceTitle: string
  /** The follow-up request carries the preview location of the first answer. */
  previewLocation?: string
  requestId?: string
  now?: Date
}

function slot (b: XmlBuilder, parent: Element, name: string, type: string, value: string): void {
  const s = b.el(parent, NS.rim, 'rim:Slot', { name })
  b.el(b.el(s, NS.rim, 'rim:SlotValue', { 'xsi:type': type }), NS.rim, 'rim:Value', {}, value)
}

/** The request's XML. */
export function sampleEvidenceRequest (input: SampleRequestInput): string {
  const b = new XmlBuilder(NS.query, 'query:QueryRequest', { rim: NS.rim, sdg: NS.sdg, xsi: NS.xsi })
  const root = b.root
  root.setAttribute('id', input.requestId ?? `urn:uuid:${randomUUID()}`)
  slot(b, root, 'SpecificationIdentifier', 'rim:StringValueType', 'oots-edm:v2.0')
  slot(b, root, 'IssueDateTime', 'rim:DateTimeValueType', (input.now ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z'))
  slot(b, root, 'Procedure', 'rim:StringValueType', 'T3')
  if (input.previewLocation !== undefined) slot(b, root, 'PreviewLocation', 'rim:StringValueType', input.previewLocation)
  slot(b, root, 'PossibilityForPreview', 'rim:BooleanValueType', 'true')
  slot(b, root, 'ExplicitRequestGiven', 'rim:BooleanValueType', 'true')
  const requester = b.el(root, NS.rim, 'rim:Slot', { name: 'EvidenceRequester' })
  const collection = b.el(requester, NS.rim, 'rim:SlotValue', { 'xsi:type': 'rim:CollectionValueType', collectionType: 'urn:oasis:names:tc:ebxml-regrep:CollectionType:Set' })
  const agent = b.el(b.el(collection, NS.rim, 'rim:Element', { 'xsi:type': 'rim:AnyValueType' }), NS.sdg, 'sdg:Agent')
  const split = input.requester.id.lastIndexOf(':')
  b.el(agent, NS.sdg, 'sdg:Identifier', { schemeID: input.requester.id.slice(0, split) }, input.requester.id.slice(split + 1))
  b.el(agent, NS.sdg, 'sdg:Name', { lang: 'EN' }, input.requester.name)
  b.el(b.el(agent, NS.sdg, 'sdg:Address'), NS.sdg, 'sdg:AdminUnitLevel1', {}, input.requester.country)
  b.el(agent, NS.sdg, 'sdg:Classification', {}, 'ER')
  b.el(root, NS.query, 'query:ResponseOption', { returnType: 'LeafClassWithRepositoryItem' })
  const query = b.el(root, NS.query, 'query:Query', { queryDefinition: 'DocumentQuery' })
  const naturalPerson = b.el(query, NS.rim, 'rim:Slot', { name: 'NaturalPerson' })
  const person = b.el(b.el(naturalPerson, NS.rim, 'rim:SlotValue', { 'xsi:type': 'rim:AnyValueType' }), NS.sdg, 'sdg:Person')
  b.el(person, NS.sdg, 'sdg:LevelOfAssurance', {}, 'High')
  b.el(person, NS.sdg, 'sdg:FamilyName', {}, input.person.familyName)
  b.el(person, NS.sdg, 'sdg:GivenName', {}, input.person.givenName)
  b.el(person, NS.sdg, 'sdg:DateOfBirth', {}, input.person.dateOfBirth)
  const evidence = b.el(query, NS.rim, 'rim:Slot', { name: 'EvidenceRequest' })
  const type = b.el(b.el(evidence, NS.rim, 'rim:SlotValue', { 'xsi:type': 'rim:AnyValueType' }), NS.sdg, 'sdg:DataServiceEvidenceType')
  b.el(type, NS.sdg, 'sdg:Identifier', {}, randomUUID())
  b.el(type, NS.sdg, 'sdg:EvidenceTypeClassification', {}, input.evidenceClassification)
  b.el(type, NS.sdg, 'sdg:Title', { lang: 'EN' }, input.evidenceTitle)
  b.el(b.el(type, NS.sdg, 'sdg:DistributedAs'), NS.sdg, 'sdg:Format', {}, 'application/pdf')
  return b.toString()
}
