/** Error codes of the one fetch of a URL a user or a document names. */
import { errorModule } from './define.ts'

const ABOUT = 'the one fetch of a URL a user or a document names (services/verify/fetch.ts)'

/** Each code of `FETCH`, on one line: the kind it is thrown with, and what it means. */
export const FETCH_ERRORS = errorModule('FETCH', ABOUT, {
  FETCH_ADDRESS_FORBIDDEN: ['forbidden', 'the host resolves to a loopback or private address (only --allow-insecure-fetch allows it)'],
  FETCH_FAILED: ['unavailable', 'the host does not resolve, or the connection or the read failed'],
  FETCH_HTTP_STATUS: ['unavailable', 'the server answered with a status other than 2xx'],
  FETCH_NOT_HTTPS: ['forbidden', 'the URL is not https (only --allow-insecure-fetch allows http)'],
  FETCH_REDIRECT_REFUSED: ['forbidden', 'the server answered with a redirect, which is not followed'],
  FETCH_TIMEOUT: ['timeout', 'the server did not answer in time'],
  FETCH_TOO_LARGE: ['too-large', 'the answer is over the size limit'],
  FETCH_URL_INVALID: ['forbidden', 'not a URL, or a URL with credentials']
})
