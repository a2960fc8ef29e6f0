/** Error codes of the one untrusted-XML parser and its worker pool. */
import { errorModule } from './define.ts'

const ABOUT = 'the one untrusted-XML parser and its worker pool (core/xml)'

/** Each code of `XML`, on one line: the kind it is thrown with, and what it means. */
export const XML_ERRORS = errorModule('XML', ABOUT, {
  XML_DTD_FORBIDDEN: ['invalid', 'the document has a document type or markup declaration (DTDs and entities are refused)'],
  XML_INVALID: ['invalid', 'the document is not acceptable XML (not UTF-8, not well-formed, no root element)'],
  XML_TOO_COMPLEX: ['too-large', 'the document is over a structural limit (depth, elements, attributes, text); details.limit names it'],
  XML_TOO_LARGE: ['too-large', 'the document is over its byte limit'],
  XML_WORKER_ONLY: ['internal', 'the worker side of the pool was started outside a worker thread'],
  XML_WORKER_POOL_INVALID: ['invalid', 'a worker pool needs at least one worker, a positive timeout and a queue of zero or more']
})
