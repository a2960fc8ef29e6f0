/**
 * The `emrex` section of a portal's config (schema in `src/core/config/schema.ts`): the certificate
 * the portal signs ELMO with, the EMREX clients allowed to receive results (by return URL), and
 * the registry of foreign EMREX providers with their certificates (the role the EWP registry's
 * `emrex-data-access-point` entries play in the EMREX network, implementation guide §4.1).
 */

export interface EmrexClientEntry {
  /** The organisation shown to the learner and written in the access log. */
  readonly name: string
  /** ISO 3166-1 alpha-2. */
  readonly country?: string
  /** Exact return URLs this client posts as `returnUrl`. */
  readonly returnUrls: readonly string[]
}

export interface EmrexProviderEntry {
  /** Short stable ID, used in forms and stored with imported results. */
  readonly id: string
  readonly name: string
  /** ISO 3166-1 alpha-2. */
  readonly country: string
  /** The provider's EMREX endpoint, where the learner's browser posts sessionId and returnUrl. */
  readonly url: string
  /** Absolute paths of its PEM certificates (more than one during a rollover). */
  readonly certificateFiles: readonly string[]
  /** Certificates it retired after a rollover: absolute paths, each valid for documents generated before `retiredAt` (ISO 8601). */
  readonly retiredCertificates?: ReadonlyArray<{ readonly file: string, readonly retiredAt: string }>
}

export interface EmrexConfig {
  /** Absolute. */
  readonly certificateFile: string
  /** Absolute. */
  readonly keyFile: string
  readonly includeNationalIdentifier: boolean
  readonly allowLoopbackHttp: boolean
  readonly clients: readonly EmrexClientEntry[]
  readonly providers: readonly EmrexProviderEntry[]
  readonly sessionTtlSeconds: number
  readonly maxElmoBytes: number
  readonly maxFormBytes: number
  /** Worker threads that check received ELMO documents. */
  readonly checkWorkers: number
  /** Hard deadline of one check; past it the worker is ended and the answer refused (`ELMO_CHECK_TIMEOUT`). */
  readonly checkTimeoutMs: number
  /** Imports per window: started per signed-in learner, started and answered per client address. */
  readonly importRateLimit: { readonly windowSeconds: number, readonly perLearner: number, readonly perClient: number }
}

const country = { type: 'string', pattern: '^[A-Z]{2}$' }

/** JSON Schema of the `emrex` section (merged into the node config schema). */
export const emrexConfigSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['certificateFile', 'keyFile'],
  description: 'EMREX data provider and client (portal role only)',
  properties: {
    certificateFile: { type: 'string', minLength: 1, description: 'PEM X.509 certificate that signs ELMO documents, as published to EMREX clients (relative to the config file)' },
    keyFile: { type: 'string', minLength: 1, description: 'PEM PKCS#8 RSA private key of that certificate, at least 2048 bits, mode 0600 (relative to the config file)' },
    includeNationalIdentifier: { type: 'boolean', default: true, description: 'Put the learner\'s Norwegian national identity number in ELMO learner/identifier[@type="nationalIdentifier"]' },
    allowLoopbackHttp: { type: 'boolean', default: false, description: 'Accept http:// return and provider URLs on loopback (local federation and tests only; otherwise https only)' },
    clients: {
      type: 'array',
      default: [],
      description: 'EMREX clients allowed to receive results: their exact return URLs',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'returnUrls'],
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 200, description: 'Organisation shown to the learner and in the access log' },
          country: { ...country, description: 'ISO 3166-1 alpha-2 country of the client' },
          returnUrls: { type: 'array', minItems: 1, items: { type: 'string', format: 'uri', maxLength: 2048 }, description: 'Exact returnUrl values the client posts' }
        }
      }
    },
    providers: {
      type: 'array',
      default: [],
      description: 'Foreign EMREX providers learners can import results from, with the certificates their ELMO is verified against',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'name', 'country', 'url', 'certificateFiles'],
        properties: {
          id: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$', description: 'Short stable ID of the provider' },
          name: { type: 'string', minLength: 1, maxLength: 200, description: 'Name shown to the learner' },
          country: { ...country, description: 'ISO 3166-1 alpha-2 country of the provider' },
          url: { type: 'string', format: 'uri', description: 'The provider\'s EMREX endpoint (EMP URL)' },
          certificateFiles: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 }, description: 'PEM certificates of the provider (relative to the config file); several during a rollover' },
          retiredCertificates: {
            type: 'array',
            default: [],
            description: 'Certificates the provider retired after a rollover: ELMO signed with one is accepted only when generated before its retirement (EMREX_CERTIFICATE_RETIRED otherwise)',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['file', 'retiredAt'],
              properties: {
                file: { type: 'string', minLength: 1, description: 'PEM certificate (relative to the config file)' },
                retiredAt: { type: 'string', format: 'date-time', description: 'When the provider retired it (ISO 8601)' }
              }
            }
          }
        }
      }
    },
    sessionTtlSeconds: { type: 'integer', minimum: 60, maximum: 86_400, default: 1800, description: 'How long an EMREX transfer or import session stays open' },
    maxElmoBytes: {
      type: 'integer',
      minimum: 1024,
      maximum: 8 * 1024 * 1024,
      default: 8 * 1024 * 1024,
      description: 'Largest received ELMO document after decompression (ELMO_TOO_LARGE beyond); at most 8 MiB, so that the worst document under every limit is checked in under 100 ms (docs/BENCHMARKS.md)'
    },
    maxFormBytes: {
      type: 'integer',
      minimum: 1024,
      maximum: 16 * 1024 * 1024,
      default: 8 * 1024 * 1024,
      description: 'Largest form post a provider sends back (the Base64 elmo field); at most 16 MiB, room for the largest document even uncompressed'
    },
    checkWorkers: { type: 'integer', minimum: 1, maximum: 8, default: 1, description: 'Worker threads that check received ELMO documents (parse, signature, reading), off the event loop' },
    checkTimeoutMs: {
      type: 'integer',
      minimum: 100,
      maximum: 60_000,
      default: 2000,
      description: 'Hard deadline of one ELMO check: the worker is ended and the answer refused with ELMO_CHECK_TIMEOUT (every document within the limits takes under 100 ms)'
    },
    importRateLimit: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'EMREX imports per window (EMREX_IMPORT_RATE_LIMITED beyond): a learner may start perLearner imports (each start allows one answer); one client address may send perClient starts and answers',
      properties: {
        windowSeconds: { type: 'integer', minimum: 1, maximum: 86_400, default: 600, description: 'Length of the window' },
        perLearner: { type: 'integer', minimum: 1, maximum: 10_000, default: 20, description: 'Imports a signed-in learner may start per window' },
        perClient: { type: 'integer', minimum: 1, maximum: 100_000, default: 60, description: 'Import starts and provider answers one client address may send per window' }
      }
    }
  }
} as const
