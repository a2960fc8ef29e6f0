/**
 * Reading an EDM Evidence Request (`query:QueryRequest`, OOTS TDD 4.5.1) of oots-edm v1.2 or
 * v2.0, leniently: slots are found by name wherever the sender put them, single values and
 * collections alike, text trimmed, unknown slots and elements ignored (the v1.2 and v2.0 samples
 * add `sdg:Nationality`, `sdg:Language` and descriptions the v1.0 XSD does not know). What the
 * evidence provider relies on is then checked, and a broken rule becomes `EDM:ERR:0003` naming
 * the rule; what it does not offer becomes `EDM:ERR:0007`. Pure.
 */
import { LifelongError } from '../../../core/errors.ts'
import { EDM_REQUEST_XML_LIMITS } from '../../../core/xml/limits.ts'
import { parseUntrustedXml } from '../../../core/xml/parse.ts'
import { NS, child, children, descendants, text } from './xml.ts'

/** The EDM versions this provider speaks (the `SpecificationIdentifier` values, TDD v1.2 and v2.0). */
export const SUPPORTED_SPECIFICATIONS = ['oots-edm:v1.2', 'oots-edm:v2.0'] as const
export type SpecificationId = typeof SUPPORTED_SPECIFICATIONS[number]

export interface EdmAgent {
  identifier?: string
  schemeId?: string
  name?: string
  classification?: string
}

export interface EvidenceRequest {
  requestId?: string
  specification: string
  issueDateTime?: string
  procedure?: string
  possibilityForPreview?: boolean
  explicitRequestGiven?: boolean
  /** Set on the second request of the preview flow (TDD 4.9). */
  previewLocation?: string
  /** v2.0: where the preview space sends the user back. */
  returnLocation?: string
  requesters: EdmAgent[]
  provider?: EdmAgent
  person?: {
    levelOfAssurance?: string
    identifier?: string
    identifierScheme?: string
    familyName?: string
    givenName?: string
    dateOfBirth?: string
  }
  legalPerson: boolean
  evidenceType?: {
    identifier?: string
    classification?: string
    titles: Array<{ lang?: string, text: string }>
    formats: string[]
    conformsTo: string[]
  }
  queryDefinition?: string
}

/** An EDM error the provider answers with (TDD 4.5.3; EDMErrorCodes code list). */
export class EdmError extends Error {
  override readonly name = 'EdmError'
  readonly code: 'EDM:ERR:0001' | 'EDM:ERR:0003' | 'EDM:ERR:0004' | 'EDM:ERR:0005' | 'EDM:ERR:0006' | 'EDM:ERR:0007' | 'EDM:ERR:0008'
  /** Safe to send: which rule failed, never personal data. */
  readonly detail: string
  constructor (code: EdmError['code'], detail: string) {
    super(detail)
    this.code = code
    this.detail = detail
  }
}

/** The request slot of that name, among `parent`'s own slots. */
function slot (parent: Element, name: string): Element | undefined {
  return children(parent, NS.rim, 'Slot').find((s) => s.getAttribute('name') === name)
}

/** The first `rim:Value` text of a slot (StringValue, DateTimeValue, BooleanValue), or a LocalizedString value. */
function slotValue (s: Element | undefined): string | undefined {
  if (s === undefined) return undefined
  const value = descendants(s, NS.rim, 'Value')[0]
  const localized = descendants(s, NS.rim, 'LocalizedString')[0]
  if (localized !== undefined) return localized.getAttribute('value')?.trim() ?? undefined
  return text(value)
}

function bool (v: string | undefined): boolean | undefined {
  if (v === undefined) return undefined
  if (v === 'true' || v === '1') return true
  if (v === 'false' || v === '0') return false
  return undefined
}

function agent (el: Element): EdmAgent {
  const id = child(el, NS.sdg, 'Identifier')
  return {
    identifier: text(id),
    schemeId: id?.getAttribute('schemeID') ?? undefined,
    name: text(child(el, NS.sdg, 'Name')),
    classification: text(child(el, NS.sdg, 'Classification'))
  }
}

/**
 * Parses the request within the EDM request limits (`maxBytes` lowers the byte limit); throws
 * {@link EdmError} `0003` for malformed, unsafe or over-complex XML, naming what was refused.
 */
export function parseEvidenceRequest (xml: string | Uint8Array, maxBytes?: number): EvidenceRequest {
  let doc: Document
  try {
    doc = parseUntrustedXml(xml, maxBytes === undefined ? EDM_REQUEST_XML_LIMITS : { ...EDM_REQUEST_XML_LIMITS, maxBytes: Math.min(maxBytes, EDM_REQUEST_XML_LIMITS.maxBytes) })
  } catch (err) {
    if (err instanceof LifelongError && err.code.startsWith('XML_')) throw new EdmError('EDM:ERR:0003', `The request is not acceptable XML: ${err.message.replace(/^the document is not acceptable XML: /, '')}`)
    throw err
  }
  const root = doc.documentElement as Element
  if (root.namespaceURI !== NS.query || root.localName !== 'QueryRequest') throw new EdmError('EDM:ERR:0003', 'The message is not a query:QueryRequest')
  const query = child(root, NS.query, 'Query')
  const personEl = query === undefined ? undefined : descendants(query, NS.sdg, 'Person')[0]
  const legal = query === undefined ? [] : descendants(query, NS.sdg, 'LegalPerson')
  const evidenceEl = query === undefined ? undefined : descendants(query, NS.sdg, 'DataServiceEvidenceType')[0]
  const requesterSlot = slot(root, 'EvidenceRequester')
  const providerSlot = slot(root, 'EvidenceProvider')
  const request: EvidenceRequest = {
    requestId: root.getAttribute('id') ?? undefined,
    specification: slotValue(slot(root, 'SpecificationIdentifier')) ?? '',
    issueDateTime: slotValue(slot(root, 'IssueDateTime')),
    procedure: slotValue(slot(root, 'Procedure')),
    possibilityForPreview: bool(slotValue(slot(root, 'PossibilityForPreview'))),
    explicitRequestGiven: bool(slotValue(slot(root, 'ExplicitRequestGiven'))),
    previewLocation: slotValue(slot(root, 'PreviewLocation')),
    returnLocation: slotValue(slot(root, 'ReturnLocation')),
    requesters: requesterSlot === undefined ? [] : descendants(requesterSlot, NS.sdg, 'Agent').map(agent),
    provider: providerSlot === undefined ? undefined : descendants(providerSlot, NS.sdg, 'Agent').map(agent)[0],
    legalPerson: legal.length > 0,
    queryDefinition: query?.getAttribute('queryDefinition') ?? undefined
  }
  if (personEl !== undefined) {
    const id = child(personEl, NS.sdg, 'Identifier')
    request.person = {
      levelOfAssurance: text(child(personEl, NS.sdg, 'LevelOfAssurance')),
      identifier: text(id),
      identifierScheme: id?.getAttribute('schemeID') ?? undefined,
      familyName: text(child(personEl, NS.sdg, 'FamilyName')),
      givenName: text(child(personEl, NS.sdg, 'GivenName')),
      dateOfBirth: text(child(personEl, NS.sdg, 'DateOfBirth'))
    }
  }
  if (evidenceEl !== undefined) {
    request.evidenceType = {
      identifier: text(child(evidenceEl, NS.sdg, 'Identifier')),
      classification: text(child(evidenceEl, NS.sdg, 'EvidenceTypeClassification')),
      titles: children(evidenceEl, NS.sdg, 'Title').map((t) => ({ lang: t.getAttribute('lang') ?? undefined, text: text(t) ?? '' })),
      formats: children(evidenceEl, NS.sdg, 'DistributedAs').map((d) => text(child(d, NS.sdg, 'Format'))).filter((f): f is string => f !== undefined),
      conformsTo: children(evidenceEl, NS.sdg, 'DistributedAs').map((d) => text(child(d, NS.sdg, 'ConformsTo'))).filter((f): f is string => f !== undefined)
    }
  }
  return request
}

const UUID_URN = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const DATE = /^\d{4}-\d{2}-\d{2}$/

/**
 * The rules a request must meet for this provider to act on it (TDD 4.6 request rules as far as
 * they concern the evidence provider); the first broken one is thrown as `EDM:ERR:0003` naming
 * it. Capabilities it does not have are `EDM:ERR:0007`.
 */
export function checkEvidenceRequest (r: EvidenceRequest): asserts r is EvidenceRequest & { requestId: string, specification: SpecificationId } {
  if (r.requestId === undefined || !UUID_URN.test(r.requestId)) throw new EdmError('EDM:ERR:0003', 'QueryRequest/@id: MUST be a UUID (RFC 4122) prefixed \'urn:uuid:\'')
  if (r.specification === '') throw new EdmError('EDM:ERR:0003', 'Slot SpecificationIdentifier: MUST be present')
  if (!(SUPPORTED_SPECIFICATIONS as readonly string[]).includes(r.specification)) {
    throw new EdmError('EDM:ERR:0003', `Slot SpecificationIdentifier: MUST be a version this provider supports (${SUPPORTED_SPECIFICATIONS.join(', ')}); got '${r.specification.slice(0, 40)}'`)
  }
  if (r.possibilityForPreview === undefined) throw new EdmError('EDM:ERR:0003', 'Slot PossibilityForPreview: MUST be present with a boolean value')
  if (r.explicitRequestGiven === undefined) throw new EdmError('EDM:ERR:0003', 'Slot ExplicitRequestGiven: MUST be present with a boolean value')
  if (!r.explicitRequestGiven) throw new EdmError('EDM:ERR:0003', 'Slot ExplicitRequestGiven: MUST be true: evidence is exchanged only at the explicit request of the user (Regulation (EU) 2018/1724 Art. 14(3)(a))')
  if (r.requesters.length === 0 || r.requesters.every((a) => a.identifier === undefined)) throw new EdmError('EDM:ERR:0003', 'Slot EvidenceRequester: MUST name the evidence requester with an identifier')
  if (r.queryDefinition !== 'DocumentQuery') throw new EdmError('EDM:ERR:0003', 'query:Query/@queryDefinition: MUST be \'DocumentQuery\'')
  if (r.legalPerson && r.person !== undefined) throw new EdmError('EDM:ERR:0003', 'Slots NaturalPerson and LegalPerson: MUST NOT both be present')
  if (r.legalPerson) throw new EdmError('EDM:ERR:0007', 'Evidence about legal persons is not provided: this provider holds learners\' education evidence only')
  if (r.person === undefined) throw new EdmError('EDM:ERR:0003', 'Slot NaturalPerson: MUST be present')
  if (r.person.familyName === undefined) throw new EdmError('EDM:ERR:0003', 'sdg:Person/sdg:FamilyName: MUST be present (eIDAS minimum data set)')
  if (r.person.givenName === undefined) throw new EdmError('EDM:ERR:0003', 'sdg:Person/sdg:GivenName: MUST be present (eIDAS minimum data set)')
  if (r.person.dateOfBirth === undefined || !DATE.test(r.person.dateOfBirth)) throw new EdmError('EDM:ERR:0003', 'sdg:Person/sdg:DateOfBirth: MUST be an xsd:date (eIDAS minimum data set)')
  if (r.evidenceType === undefined) throw new EdmError('EDM:ERR:0003', 'Slot EvidenceRequest: MUST contain a sdg:DataServiceEvidenceType')
  if (r.evidenceType.classification === undefined) throw new EdmError('EDM:ERR:0003', 'sdg:DataServiceEvidenceType/sdg:EvidenceTypeClassification: MUST be present')
  if (r.evidenceType.formats.length === 0) throw new EdmError('EDM:ERR:0003', 'sdg:DataServiceEvidenceType/sdg:DistributedAs/sdg:Format: MUST be present')
  if (r.previewLocation !== undefined && !r.previewLocation.startsWith('https://') && !r.previewLocation.startsWith('http://')) {
    throw new EdmError('EDM:ERR:0003', 'Slot PreviewLocation: MUST be the URI this provider returned')
  }
}
