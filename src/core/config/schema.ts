/**
 * JSON Schema of a node's config file (node-config/*.json). Defaults are filled in by the
 * validator; docs/CONFIG.md and the README's config reference describe every field.
 */
import { ROLES } from '../federation/roles.ts'
import { emrexConfigSchema } from './emrex.ts'
import { ootsConfigSchema } from './oots.ts'
import { walletConfigSchema } from './wallet.ts'
import { workbenchConfigSchema } from './workbench.ts'

const positiveInt = (minimum: number, maximum: number, defaultValue: number, description: string) => ({ type: 'integer', minimum, maximum, default: defaultValue, description })

export const configSchema = {
  $id: 'https://lifelong.no/schemas/node-config.json',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'organisationNumber', 'roles', 'dataDir', 'federation'],
  properties: {
    $schema: { type: 'string' },
    name: { type: 'string', minLength: 1, maxLength: 200, description: 'Display name of the node or its organisation' },
    organisationNumber: { type: 'string', pattern: '^[0-9]{9}$', description: '9-digit Norwegian organisation number (mod 11 checked)' },
    roles: { type: 'array', items: { type: 'string', enum: [...ROLES] }, minItems: 1, description: 'What the node does' },
    dataDir: { type: 'string', minLength: 1, description: 'Directory of the node key and LevelDB store; relative to the config file' },
    keyFile: { type: 'string', minLength: 1, description: 'Node key (PKCS#8 PEM, mode 0600); default <dataDir>/node.key' },
    storage: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        engine: {
          type: 'string',
          enum: ['leveldb', 'memory'],
          default: 'leveldb',
          description: 'Where the node keeps its state: LevelDB under dataDir, or memory (lost when the node stops: for nodes that live only as long as their process, as a test\'s)'
        }
      }
    },
    p2p: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        listen: { type: 'array', items: { type: 'string', minLength: 1 }, default: ['/ip4/0.0.0.0/tcp/4001'], description: 'libp2p listen multiaddrs: TCP, or /memory/<name> for members in the same process (a test\'s federation)' },
        announce: { type: 'array', items: { type: 'string', minLength: 1 }, default: [], description: 'Addresses to announce instead of the listen addresses (behind NAT or a load balancer)' },
        addressScope: { type: 'string', enum: ['public', 'private', 'loopback'], default: 'public', description: 'Which peer addresses the DHT keeps: public only, private (LAN) or loopback (local federation)' },
        maxConnections: positiveInt(1, 100_000, 300, 'Most libp2p connections kept open'),
        dialTimeoutMs: positiveInt(100, 120_000, 10_000, 'Time allowed to dial a member')
      }
    },
    http: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        host: { type: 'string', minLength: 1, default: '127.0.0.1', description: 'HTTP listen address (keep it on loopback behind a TLS proxy)' },
        port: { type: 'integer', minimum: 0, maximum: 65535, default: 8080, description: 'HTTP listen port (0 picks a free one)' },
        publicUrl: { type: 'string', format: 'uri', description: 'The URL others reach this node at, if not http://host:port' },
        bodyLimitBytes: positiveInt(1024, 256 * 1024 * 1024, 1024 * 1024, 'Largest HTTP request body accepted (413 HTTP_BODY_TOO_LARGE beyond)'),
        trustProxy: { type: 'boolean', default: false, description: 'Trust X-Forwarded-* headers from a reverse proxy: the client address (rate limits) and host (Host check) are then the ones it reports' },
        allowedHosts: {
          type: 'array',
          items: { type: 'string', minLength: 1, maxLength: 300, pattern: '^(\\[[0-9A-Fa-f:.]+\\]|[^\\s:\\[\\]/@]+)(:[0-9]{1,5})?$' },
          default: [],
          description: 'Host names (name, or name:port) requests may name in Host besides the host of publicUrl, the listen address and loopback names; any other is refused (400 HTTP_HOST_NOT_ALLOWED, against DNS rebinding)'
        },
        rateLimit: {
          type: 'object',
          additionalProperties: false,
          default: {},
          description: 'Requests per window per client address (429 HTTP_RATE_LIMITED with Retry-After beyond); docs/SECURITY.md',
          properties: {
            enabled: { type: 'boolean', default: true, description: 'Limit requests per client address (the address the proxy reports with trustProxy)' },
            windowSeconds: positiveInt(1, 86_400, 60, 'The window of every limit below'),
            publicMax: positiveInt(1, 1_000_000, 1200, 'Requests per window to the routes any caller may call, together (public reads, share pages, wallet and EMREX endpoints)'),
            signIn: positiveInt(1, 1_000_000, 30, 'Sign-ins started per window (GET /portal/login), and on the workbench sign-ins started and completed (GET /workbench/login, /workbench/callback)'),
            shareOpen: positiveInt(1, 1_000_000, 20, 'Attempts to open a share per window (POST /share/<id>, /share/<id>/open), each route'),
            walletToken: positiveInt(1, 1_000_000, 30, 'Token requests per window at the credential issuer (POST /eudi/token)'),
            walletCredential: positiveInt(1, 1_000_000, 60, 'Credential and nonce requests per window (POST /eudi/credential, /eudi/nonce), each route'),
            emrexEntry: positiveInt(1, 1_000_000, 30, 'EMREX hand-overs per window (POST /emrex, /emrex/import/return), each route'),
            walletPresentation: positiveInt(1, 1_000_000, 60, 'Presentation requests made and wallet answers received per window (POST /share/wallet, /share/wallet/<id>/response), each route')
          }
        }
      }
    },
    federation: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'manifestFile', 'operatorKeys'],
      properties: {
        id: { type: 'string', pattern: '^[a-z0-9][a-z0-9.-]{0,99}$', description: 'Federation identifier; a manifest of another federation is refused' },
        manifestFile: { type: 'string', minLength: 1, description: 'Signed manifest file (relative to the config file)' },
        operatorKeys: { type: 'array', minItems: 1, items: { type: 'string' }, description: 'Trusted operator keys, "ed25519:<base64>"' },
        operatorMlDsaKeys: {
          type: 'array',
          items: { type: 'string' },
          default: [],
          description: 'Trusted ML-DSA-65 operator keys, "ml-dsa-65:<base64>": the post-quantum half of hybrid manifests (docs/SECURITY.md §Post-quantum hybrid signatures)'
        },
        trustAnchorFile: {
          type: 'string',
          minLength: 1,
          description: 'The federation trust anchor the operator published (`lifelong manifest anchor`; relative to the config file), served at /.well-known/lifelong/trust-anchor.json; its federation and keys must be id and operatorKeys'
        },
        expiryWarningHours: positiveInt(1, 24 * 365, 7 * 24, 'Warn (log, /ready, metric) when the manifest expires within this many hours'),
        refreshIntervalSeconds: positiveInt(1, 86_400, 300, 'How often the manifest file is re-read and expiry checked')
      }
    },
    rpc: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        maxMessageBytes: positiveInt(1024, 64 * 1024 * 1024, 4 * 1024 * 1024, 'Largest signed request or response (TOO_LARGE beyond)'),
        maxConcurrentPerPeer: positiveInt(1, 10_000, 64, 'Exchanges in flight per peer, each way (BUSY beyond)'),
        deadlineMs: positiveInt(10, 600_000, 10_000, 'Deadline of every exchange, calling and serving'),
        clockSkewMs: positiveInt(1000, 3_600_000, 120_000, 'Largest accepted difference between a request\'s issued-at and this clock (CLOCK_SKEW beyond)')
      }
    },
    logging: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        level: { type: 'string', enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info', description: 'Log level (JSON lines on stdout)' }
      }
    },
    portal: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'The Diploma portal (nodes with the portal role)',
      properties: {
        oidc: {
          type: 'object',
          additionalProperties: false,
          required: ['issuer', 'audience'],
          description: 'The OpenID Connect issuer whose tokens sign learners in (e.g. ID-porten)',
          properties: {
            issuer: { type: 'string', format: 'uri', description: 'Issuer URL; tokens must carry it as iss' },
            audience: { type: 'string', minLength: 1, description: 'This portal\'s client ID; tokens must carry it as aud' },
            jwksUri: { type: 'string', format: 'uri', description: 'Where the issuer publishes its signing keys (default <issuer>/jwks.json)' },
            authorizationEndpoint: {
              type: 'string',
              format: 'uri',
              description: 'Where learners are sent to sign in (authorization code flow with PKCE; default <issuer>/authorize; take it from the issuer\'s discovery document, <issuer>/.well-known/openid-configuration)'
            },
            tokenEndpoint: { type: 'string', format: 'uri', description: 'Where the portal exchanges the code for the ID token (default <issuer>/token; take it from the discovery document too)' },
            clientAuth: {
              type: 'string',
              enum: ['none', 'client_secret_basic', 'client_secret_post'],
              description: 'How the portal authenticates at the token endpoint: none (public client, PKCE only) or with the secret of clientSecretFile (default client_secret_basic with a secret file, else none)'
            },
            clientSecretFile: { type: 'string', minLength: 1, description: 'File holding the client secret (mode 0600; relative to the config file); the secret never goes in the config' }
          }
        },
        devIssuer: { type: 'boolean', default: false, description: 'Run the clearly marked development OIDC issuer with the sample learners on this node, and trust it (test and demo federations only: needs identifiers.allowSynthetic)' },
        fanoutDeadlineMs: positiveInt(50, 60_000, 3000, 'How long the portal waits for the sources of a learner\'s results before it shows what it has'),
        fanOutsPerLearnerPerMinute: positiveInt(
          1,
          1_000_000,
          60,
          'How many times a minute the portal asks the sources for one learner\'s results for one purpose; beyond, PORTAL_FAN_OUT_RATE_LIMITED (HTTP 429). Each fan-out is logged at the index and every source'
        ),
        shareMaxDays: positiveInt(1, 3650, 180, 'Longest validity of a share a learner creates'),
        session: {
          type: 'object',
          additionalProperties: false,
          default: {},
          description: 'Learners\' sessions, kept server-side in the portal\'s store (docs/RESULTS-AND-PORTAL.md)',
          properties: {
            idleMinutes: positiveInt(1, 1440, 30, 'A session ends this long after its last use'),
            absoluteHours: positiveInt(1, 168, 12, 'A session ends this long after sign-in, however busy')
          }
        },
        wallet: walletConfigSchema
      }
    },
    signatures: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'Post-quantum hybrid signatures (docs/SECURITY.md §Post-quantum hybrid signatures)',
      properties: {
        mlDsaKeyFile: {
          type: 'string',
          minLength: 1,
          description:
            'The node\'s ML-DSA-65 key (PKCS#8 PEM, mode 0600; relative to the config file): with it the node signs its checkpoints, cosignatures and (with results.hybridSeals) result seals with ML-DSA-65 beside Ed25519; the manifest must list its public key'
        },
        hybridSeals: { type: 'boolean', default: false, description: 'Seal result versions with ML-DSA-65 beside Ed25519 (needs mlDsaKeyFile; about 5.3 kB more per stored version: key and signature)' },
        policy: {
          type: 'string',
          enum: ['ed25519-only', 'both-required'],
          default: 'ed25519-only',
          description: 'What the node requires of what it verifies: ed25519-only, or both-required (hybrid manifests, checkpoints it witnesses and gossip; needs mlDsaKeyFile and federation.operatorMlDsaKeys)'
        }
      }
    },
    log: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'The transparency log: checkpoints, witnessing, gossip (docs/LOG.md)',
      properties: {
        checkpointIntervalMs: positiveInt(100, 86_400_000, 60_000, 'Sign a checkpoint at least this often when the log has grown'),
        checkpointEveryEntries: positiveInt(1, 10_000_000, 1000, 'Also sign one as soon as this many entries were added since the last'),
        witness: {
          description: 'Whose logs this node witnesses: "all" members (default), "none", or a list of peer IDs',
          anyOf: [{ type: 'string', enum: ['all', 'none'] }, { type: 'array', items: { type: 'string', minLength: 1 } }],
          default: 'all'
        },
        gossipIntervalMs: positiveInt(100, 86_400_000, 30_000, 'How often a witness gossips the checkpoints it holds'),
        maxEntriesPerRequest: positiveInt(1, 100_000, 1000, 'Most leaves served in one GetEntries')
      }
    },
    workbench: workbenchConfigSchema,
    harvest: {
      type: 'object',
      additionalProperties: false,
      required: ['sources'],
      properties: {
        sources: {
          type: 'array',
          maxItems: 50,
          description:
            'Where an institution harvests results from its student system: { id, format (elmo, elm or ooapi), file or url, intervalMinutes, allowPrivateNetwork (http and internal addresses; default false), maxBytes (default 16 MiB) } (docs/RESULTS-AND-PORTAL.md §Harvesting)',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['id', 'format'],
            properties: {
              id: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,40}$' },
              format: { type: 'string', enum: ['elmo', 'elm', 'ooapi'] },
              file: { type: 'string', minLength: 1 },
              url: { type: 'string', format: 'uri', pattern: '^https?://' },
              intervalMinutes: { type: 'integer', minimum: 1, maximum: 10080 },
              allowPrivateNetwork: { type: 'boolean', default: false },
              maxBytes: { type: 'integer', minimum: 1024, maximum: 268435456, default: 16777216 }
            }
          }
        }
      }
    },
    identifiers: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        allowSynthetic: { type: 'boolean', default: false, description: 'Accept synthetic test national IDs (test and demo federations only)' }
      }
    },
    auth: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        issuers: {
          type: 'array',
          default: [],
          description: 'Token issuers the HTTP API trusts: { issuer, audience, principal (learner or service), publicKeys: ["ed25519:<base64>"], jwksUrl, subjectClaim (default sub), development }',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['issuer', 'audience', 'principal'],
            properties: {
              issuer: { type: 'string', minLength: 1, maxLength: 500 },
              audience: { type: 'string', minLength: 1, maxLength: 500 },
              principal: { type: 'string', enum: ['learner', 'service'] },
              publicKeys: { type: 'array', items: { type: 'string' }, default: [] },
              jwksUrl: { type: 'string', format: 'uri' },
              subjectClaim: { type: 'string', minLength: 1, maxLength: 100, default: 'sub' },
              development: { type: 'boolean', default: false }
            }
          }
        }
      }
    },
    emrex: emrexConfigSchema,
    oots: ootsConfigSchema
  }
} as const
