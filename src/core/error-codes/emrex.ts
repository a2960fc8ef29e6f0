/** Error codes of the EMREX provider and client, their certificates and tools. */
import { errorModule } from './define.ts'

const ABOUT = 'the EMREX provider and client, their certificates and tools (services/bridges/emrex, edges/bridges/emrex)'

/** Each code of `EMREX`, on one line: the kind it is thrown with, and what it means. */
export const EMREX_ERRORS = errorModule('EMREX', ABOUT, {
  EMREX_CERTIFICATE_INVALID: ['invalid', 'an EMREX certificate file is not a PEM X.509 certificate'],
  EMREX_CERTIFICATE_RETIRED: ['forbidden', 'ELMO signed with a certificate its provider retired, on a document generated at or after the retirement'],
  EMREX_CERTIFICATE_UNREADABLE: ['invalid', 'an EMREX certificate or key file cannot be read'],
  EMREX_CLIENT_UNKNOWN: ['forbidden', 'returnUrl does not belong to a registered EMREX client'],
  EMREX_IMPORT_RATE_LIMITED: ['rate-limited', 'too many EMREX imports (of this learner, or overall) in the window'],
  EMREX_IMPORT_UNKNOWN: ['not-found', 'no such EMREX import of the signed-in learner'],
  EMREX_KEY_INVALID: ['invalid', 'the EMREX signing key file is not a PEM private key, or not the certificate\'s'],
  EMREX_LEARNER_MISMATCH: ['forbidden', 'the imported results are not the signed-in learner\'s'],
  EMREX_LEARNER_RESULTS_INVALID: ['invalid', 'the learner results file of `lifelong emrex export` breaks the bridge model: see fields'],
  EMREX_LEARNER_RESULTS_UNREADABLE: ['invalid', 'the learner results file of `lifelong emrex export` cannot be read as JSON'],
  EMREX_LEARNER_UNKNOWN: ['not-found', '`lifelong emrex export` knows no such learner (in the results file or the development learners)'],
  EMREX_NOT_CONFIGURED: ['invalid', 'the config has no emrex section, or no --cert and --key were given'],
  EMREX_PROVIDER_CERTIFICATE_EXPIRED: ['forbidden', 'no registered certificate of the provider is valid now'],
  EMREX_PROVIDER_UNKNOWN: [['gone', 'not-found'], 'no such EMREX provider is configured'],
  EMREX_REQUEST_INVALID: ['invalid', 'an EMREX request is malformed (sessionId missing or not 1–128 printable ASCII characters)'],
  EMREX_RETURN_CODE_UNKNOWN: ['invalid', 'the answer\'s returnCode is not an EMREX return code'],
  EMREX_RETURN_URL_INVALID: ['invalid', 'returnUrl is missing, too long, or not an https URL'],
  EMREX_SESSION_EXPIRED: ['gone', 'the EMREX session has expired; start the import again'],
  EMREX_SESSION_UNKNOWN: ['invalid', 'the answer carries no sessionId of this node'],
  EMREX_SESSION_USED: ['gone', 'the EMREX session has already been answered'],
  EMREX_TRANSFER_EXPIRED: ['gone', 'the EMREX transfer has expired; start again from the client'],
  EMREX_TRANSFER_FORBIDDEN: ['forbidden', 'the EMREX transfer was started in another browser'],
  EMREX_TRANSFER_UNKNOWN: ['not-found', 'no such EMREX transfer'],
  EMREX_TRANSFER_USED: ['gone', 'the EMREX transfer is finished']
})
