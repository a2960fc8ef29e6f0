/**
 * Producing EDM responses (OOTS TDD 4.5.2 Evidence Response, 4.5.3 Error Response) strictly: a
 * `query:QueryResponse` that validates against the v1.0 XSDs (ebRS RegRep 4 + SDG profile),
 * with the `SpecificationIdentifier` of the request's version (`oots-edm:v1.2` or `v2.0`).
 * Evidence documents travel as attachments (AS4 payload parts in production) referenced by
 * `rim:RepositoryItemRef xlink:href="cid:…"`; error responses carry one `rs:Exception` with the
 * code, type and message of the EDMErrorCodes code list. Pure.
 */
import { NS, XmlBuilder } from './xml.ts'
import type { EdmAgent, EvidenceRequest } from './request.ts'

/** The EDMErrorCodes code list: type and fixed message per code (TDD 4.5.3). */
export const EDM_ERRORS = {
  'EDM:ERR:0001': { type: 'rs:AuthenticationExceptionType', message: 'Failed Authentication' },
  'EDM:ERR:0002': { type: 'rs:AuthorizationExceptionType', message: 'Missing Authorization' },
  'EDM:ERR:0003': { type: 'rs:InvalidRequestExceptionType', message: 'Syntactically or semantically invalid request' },
  'EDM:ERR:0004': { type: 'rs:ObjectNotFoundExceptionType', message: 'Object not found' },
  'EDM:ERR:0005': { type: 'rs:TimeoutExceptionType', message: 'Exceeding timeout period' },
  'EDM:ERR:0006': { type: 'rs:UnresolvedReferenceExceptionType', message: 'Referenced object that cannot be resolved' },
  'EDM:ERR:0007': { type: 'rs:UnsupportedCapabilityExceptionType', message: 'Optional feature or capability is not supported' },
  'EDM:ERR:0008': { type: 'query:QueryExceptionType', message: 'Invalid query syntax or semantics that must be corrected' }
} as const
export type EdmErrorCode = keyof typeof EDM_ERRORS

const SEVERITY_ERROR = 'urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error'
/** The preview-required severity: `sr.oots.tech.europa.eu` in TDD v1.0, `sr.oots.tech.ec.europa.eu` from v1.1 on (the v1.2 and v2.0 samples). */
export function previewRequiredSeverity (specification: string): string {
  return specification === 'oots-edm:v1.0'
    ? 'urn:sr.oots.tech.europa.eu:codes:ErrorSeverity:EDMErrorResponse:PreviewRequired'
    : 'urn:sr.oots.tech.ec.europa.eu:codes:ErrorSeverity:EDMErrorResponse:PreviewRequired'
}
const FAILURE = 'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure'
const SUCCESS = 'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success'

/** The organisation answering: the portal's operator, identified by its Norwegian organisation number (EAS 0192). */
export interface ProviderAgent {
  organisationNumber: string
  name: string
  /** ISO 3166-1 alpha-2. */
  country: string
}

const EAS_NO_ORGNR = 'urn:cef.eu:names:identifier:EAS:0192'

function namespaces (): Record<string, string> {
  return { rim: NS.rim, rs: NS.rs, sdg: NS.sdg, xsi: NS.xsi, xlink: NS.xlink }
}

function stringSlot (b: XmlBuilder, parent: Element, name: string, value: string, type = 'rim:StringValueType'): void {
  const slot = b.el(parent, NS.rim, 'rim:Slot', { name })
  const v = b.el(slot, NS.rim, 'rim:SlotValue', { 'xsi:type': type })
  b.el(v, NS.rim, 'rim:Value', {}, value)
}

function agentEl (b: XmlBuilder, parent: Element, a: { id: string, scheme?: string, name: string, country?: string, classification?: string }): void {
  const agent = b.el(parent, NS.sdg, 'sdg:Agent')
  b.el(agent, NS.sdg, 'sdg:Identifier', { schemeID: a.scheme }, a.id)
  b.el(agent, NS.sdg, 'sdg:Name', { lang: 'EN' }, a.name)
  if (a.country !== undefined) {
    const address = b.el(agent, NS.sdg, 'sdg:Address')
    b.el(address, NS.sdg, 'sdg:AdminUnitLevel1', {}, a.country)
  }
  if (a.classification !== undefined) b.el(agent, NS.sdg, 'sdg:Classification', {}, a.classification)
}

/** The requester to echo back: the one classified `ER` (v2.0 lists the intermediary platform too), else the first. */
function requesterOf (requesters: readonly EdmAgent[]): EdmAgent | undefined {
  return requesters.find((r) => r.classification === 'ER') ?? requesters.find((r) => r.identifier !== undefined)
}

function requesterSlot (b: XmlBuilder, root: Element, requesters: readonly EdmAgent[]): void {
  const r = requesterOf(requesters)
  if (r?.identifier === undefined) return
  const slot = b.el(root, NS.rim, 'rim:Slot', { name: 'EvidenceRequester' })
  const v = b.el(slot, NS.rim, 'rim:SlotValue', { 'xsi:type': 'rim:AnyValueType' })
  agentEl(b, v, { id: r.identifier, scheme: r.schemeId, name: r.name ?? r.identifier })
}

export interface ErrorResponseInput {
  /** The request's id, if it could be read. */
  requestId?: string
  /** The request's version, or the newest we speak when it could not be read. */
  specification: string
  responseId: string
  timestamp: string
  code: EdmErrorCode
  detail?: string
  provider: ProviderAgent
  requesters?: readonly EdmAgent[]
  /** For `EDM:ERR:0002`: where the user previews and approves (TDD 4.9). */
  preview?: { location: string, description: Record<string, string> }
}

/** An EDM Error Response (TDD 4.5.3). */
export function errorResponse (input: ErrorResponseInput): string {
  const b = new XmlBuilder(NS.query, 'query:QueryResponse', namespaces())
  const root = b.root
  if (input.requestId !== undefined) root.setAttribute('requestId', input.requestId)
  root.setAttribute('status', FAILURE)
  stringSlot(b, root, 'SpecificationIdentifier', input.specification)
  stringSlot(b, root, 'EvidenceResponseIdentifier', input.responseId)
  const provider = b.el(root, NS.rim, 'rim:Slot', { name: 'ErrorProvider' })
  agentEl(b, b.el(provider, NS.rim, 'rim:SlotValue', { 'xsi:type': 'rim:AnyValueType' }), {
    id: input.provider.organisationNumber,
    scheme: EAS_NO_ORGNR,
    name: input.provider.name,
    country: input.provider.country,
    classification: 'ERRP'
  })
  requesterSlot(b, root, input.requesters ?? [])
  const def = EDM_ERRORS[input.code]
  const exception = b.el(root, NS.rs, 'rs:Exception', {
    'xsi:type': def.type,
    code: input.code,
    message: def.message,
    severity: input.code === 'EDM:ERR:0002' ? previewRequiredSeverity(input.specification) : SEVERITY_ERROR,
    detail: input.detail
  })
  stringSlot(b, exception, 'Timestamp', input.timestamp, 'rim:DateTimeValueType')
  if (input.preview !== undefined) {
    stringSlot(b, exception, 'PreviewLocation', input.preview.location)
    const d = b.el(exception, NS.rim, 'rim:Slot', { name: 'PreviewDescription' })
    const dv = b.el(b.el(d, NS.rim, 'rim:SlotValue', { 'xsi:type': 'rim:InternationalStringValueType' }), NS.rim, 'rim:Value')
    for (const [lang, text] of Object.entries(input.preview.description)) b.el(dv, NS.rim, 'rim:LocalizedString', { 'xml:lang': lang, value: text })
    stringSlot(b, exception, 'PreviewMethod', 'GET')
  }
  return b.toString()
}

/** One evidence document in a response, and the attachment carrying it. */
export interface EvidenceItem {
  /** `urn:uuid:…` of the ExtrinsicObject. */
  objectId: string
  /** Evidence identifier (UUID). */
  evidenceId: string
  /** Content-ID of the attachment (without `cid:`). */
  contentId: string
  title: string
  format: 'application/pdf' | 'application/vc+jwt'
  issuingDate: string
  issuer: { organisationNumber: string, name: string }
  /** Whether it is the main evidence (v2.0 packaging); the other rendering of the same result is not. */
  main: boolean
  /** The result this document is evidence of (documents of one result share a package in v2.0). */
  group: string
}

export interface EvidenceResponseInput {
  request: EvidenceRequest & { requestId: string }
  responseId: string
  issueDateTime: string
  provider: ProviderAgent
  /** The person as the request named them (TDD 4.5.2: the MDS goes back in `sdg:IsAbout` "to confirm identity matching"). */
  person: { identifier?: string, identifierScheme?: string, familyName: string, givenName: string, dateOfBirth: string }
  evidenceType: { classification: string, title: string }
  items: readonly EvidenceItem[]
  /** `urn:uuid:` IDs for the v2.0 packages, one per group. */
  packageId: (group: string) => string
}

function evidenceObject (b: XmlBuilder, list: Element, input: EvidenceResponseInput, item: EvidenceItem, v2: boolean): void {
  const obj = b.el(list, NS.rim, 'rim:RegistryObject', { 'xsi:type': 'rim:ExtrinsicObjectType', id: item.objectId })
  const slot = b.el(obj, NS.rim, 'rim:Slot', { name: 'EvidenceMetadata' })
  const v = b.el(slot, NS.rim, 'rim:SlotValue', { 'xsi:type': 'rim:AnyValueType' })
  const ev = b.el(v, NS.sdg, 'sdg:Evidence')
  b.el(ev, NS.sdg, 'sdg:Identifier', {}, item.evidenceId)
  const about = b.el(b.el(ev, NS.sdg, 'sdg:IsAbout'), NS.sdg, 'sdg:NaturalPerson')
  if (input.person.identifier !== undefined) b.el(about, NS.sdg, 'sdg:Identifier', { schemeID: input.person.identifierScheme }, input.person.identifier)
  b.el(about, NS.sdg, 'sdg:FamilyName', {}, input.person.familyName)
  b.el(about, NS.sdg, 'sdg:GivenName', {}, input.person.givenName)
  b.el(about, NS.sdg, 'sdg:DateOfBirth', {}, input.person.dateOfBirth)
  const authority = b.el(ev, NS.sdg, 'sdg:IssuingAuthority')
  b.el(authority, NS.sdg, 'sdg:Identifier', { schemeID: EAS_NO_ORGNR }, item.issuer.organisationNumber)
  b.el(authority, NS.sdg, 'sdg:Name', { lang: 'NB' }, item.issuer.name)
  const conformant = b.el(ev, NS.sdg, 'sdg:IsConformantTo')
  b.el(conformant, NS.sdg, 'sdg:EvidenceTypeClassification', {}, input.evidenceType.classification)
  b.el(conformant, NS.sdg, 'sdg:Title', { lang: 'EN' }, input.evidenceType.title)
  b.el(ev, NS.sdg, 'sdg:IssuingDate', {}, item.issuingDate)
  const dist = b.el(ev, NS.sdg, 'sdg:Distribution')
  b.el(dist, NS.sdg, 'sdg:Format', {}, item.format)
  if (item.format === 'application/vc+jwt') b.el(dist, NS.sdg, 'sdg:ConformsTo', {}, 'http://data.europa.eu/snb/model/ap/edc-generic-full')
  if (v2 && item.main) b.el(obj, NS.rim, 'rim:Classification', { id: `urn:uuid:${item.evidenceId}`, classificationScheme: 'urn:fdc:oots:classification:edm', classificationNode: 'MainEvidence' })
  b.el(obj, NS.rim, 'rim:RepositoryItemRef', { 'xlink:href': `cid:${item.contentId}`, 'xlink:title': item.title })
}

/** An EDM Evidence Response (TDD 4.5.2) with one ExtrinsicObject per document; v2.0 packages each result's documents. */
export function evidenceResponse (input: EvidenceResponseInput): string {
  const b = new XmlBuilder(NS.query, 'query:QueryResponse', namespaces())
  const root = b.root
  root.setAttribute('requestId', input.request.requestId)
  root.setAttribute('status', SUCCESS)
  stringSlot(b, root, 'SpecificationIdentifier', input.request.specification)
  stringSlot(b, root, 'EvidenceResponseIdentifier', input.responseId)
  stringSlot(b, root, 'IssueDateTime', input.issueDateTime, 'rim:DateTimeValueType')
  const provider = b.el(root, NS.rim, 'rim:Slot', { name: 'EvidenceProvider' })
  const collection = b.el(provider, NS.rim, 'rim:SlotValue', { 'xsi:type': 'rim:CollectionValueType', collectionType: 'urn:oasis:names:tc:ebxml-regrep:CollectionType:Set' })
  agentEl(b, b.el(collection, NS.rim, 'rim:Element', { 'xsi:type': 'rim:AnyValueType' }), {
    id: input.provider.organisationNumber,
    scheme: EAS_NO_ORGNR,
    name: input.provider.name,
    country: input.provider.country,
    classification: 'EP'
  })
  requesterSlot(b, root, input.request.requesters)
  const list = b.el(root, NS.rim, 'rim:RegistryObjectList')
  const v2 = input.request.specification === 'oots-edm:v2.0'
  if (!v2) {
    for (const item of input.items) evidenceObject(b, list, input, item, false)
  } else {
    const groups = [...new Set(input.items.map((i) => i.group))]
    for (const g of groups) {
      const pkg = b.el(list, NS.rim, 'rim:RegistryObject', { 'xsi:type': 'rim:RegistryPackageType', id: input.packageId(g) })
      const inner = b.el(pkg, NS.rim, 'rim:RegistryObjectList')
      for (const item of input.items.filter((i) => i.group === g)) evidenceObject(b, inner, input, item, true)
    }
  }
  return b.toString()
}
