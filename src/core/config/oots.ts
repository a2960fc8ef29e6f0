/**
 * The `oots` section of a portal's config (schema merged in `src/core/config/schema.ts`): where the
 * OOTS listener for the national access point listens, its TLS certificate, the gateways it
 * accepts (each pinned by its client certificates), and the rate limits. Without the section a
 * portal has no OOTS query endpoint at all; the preview pages stay on the portal either way.
 */

/** A national access point (gateway) allowed to call the OOTS listener. */
export interface OotsGatewayEntry {
  /** Short stable ID: an approval is bound to it. */
  readonly id: string
  /** Shown to the learner as the one that authenticated the requester ("identified by …"). */
  readonly name: string
  /** Absolute paths of its PEM client certificates, pinned by SHA-256 (more than one during a rollover). */
  readonly certificateFiles: readonly string[]
}

export interface OotsRateLimits {
  /** Evidence requests one gateway may send per minute. */
  readonly perGatewayPerMinute: number
  /** Evidence requests the listener takes per minute, all gateways together. */
  readonly overallPerMinute: number
  /** Preview decisions (approve or refuse) one learner may post per hour. */
  readonly decisionsPerLearnerPerHour: number
  /** Preview decisions the portal takes per minute, all learners together; only decisions on a pending preview of the deciding learner count. */
  readonly decisionsPerMinute: number
}

export interface OotsConfig {
  readonly listen: { readonly host: string, readonly port: number }
  /** Absolute paths of the listener's TLS certificate and key (PEM). */
  readonly tls: { readonly certificateFile: string, readonly keyFile: string }
  readonly gateways: readonly OotsGatewayEntry[]
  readonly previewTtlSeconds: number
  readonly rateLimits: OotsRateLimits
}

export const DEFAULT_OOTS_RATE_LIMITS: OotsRateLimits = { perGatewayPerMinute: 600, overallPerMinute: 1200, decisionsPerLearnerPerHour: 30, decisionsPerMinute: 600 }

const int = (minimum: number, maximum: number, defaultValue: number, description: string) => ({ type: 'integer', minimum, maximum, default: defaultValue, description })

/** JSON Schema of the `oots` section. */
export const ootsConfigSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['listen', 'tls', 'gateways'],
  description: 'OOTS evidence provider (portal role only): the listener only the national access point reaches (docs/CROSS-BORDER.md)',
  properties: {
    listen: {
      type: 'object',
      additionalProperties: false,
      required: ['host', 'port'],
      description: 'Where the OOTS listener (POST /oots/query, mutual TLS) listens; not the portal\'s listener',
      properties: {
        host: { type: 'string', minLength: 1, description: 'OOTS listener address (reachable by the national access point only)' },
        port: { type: 'integer', minimum: 0, maximum: 65535, description: 'OOTS listener port (0 picks a free one)' }
      }
    },
    tls: {
      type: 'object',
      additionalProperties: false,
      required: ['certificateFile', 'keyFile'],
      description: 'The OOTS listener terminates TLS itself (a proxy in front would hide the gateway\'s client certificate)',
      properties: {
        certificateFile: { type: 'string', minLength: 1, description: 'PEM server certificate of the OOTS listener, as the gateway pins it (relative to the config file)' },
        keyFile: { type: 'string', minLength: 1, description: 'PEM private key of that certificate, mode 0600 (relative to the config file)' }
      }
    },
    gateways: {
      type: 'array',
      minItems: 1,
      description:
        'The national access points allowed to call: { id (approvals are bound to it), name (shown to the learner as who identified the requester), certificateFiles (PEM TLS client certificates, pinned by SHA-256; more than one during a rollover) }',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'name', 'certificateFiles'],
        properties: {
          id: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$', description: 'Short stable ID of the gateway; approvals are bound to it' },
          name: { type: 'string', minLength: 1, maxLength: 200, description: 'Shown to the learner as who identified the requester' },
          certificateFiles: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 }, description: 'PEM client certificates of the gateway (relative to the config file); more than one during a rollover' }
        }
      }
    },
    previewTtlSeconds: int(60, 86_400, 3600, 'How long a request waits for the learner\'s decision, and how long an approval stays usable'),
    rateLimits: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        perGatewayPerMinute: int(1, 1_000_000, DEFAULT_OOTS_RATE_LIMITS.perGatewayPerMinute, 'Evidence requests one gateway may send per minute (HTTP 429 beyond)'),
        overallPerMinute: int(1, 1_000_000, DEFAULT_OOTS_RATE_LIMITS.overallPerMinute, 'Evidence requests the OOTS listener takes per minute in all'),
        decisionsPerLearnerPerHour: int(1, 10_000, DEFAULT_OOTS_RATE_LIMITS.decisionsPerLearnerPerHour, 'Preview decisions one learner may post per hour'),
        decisionsPerMinute: int(
          1,
          1_000_000,
          DEFAULT_OOTS_RATE_LIMITS.decisionsPerMinute,
          'Preview decisions the portal takes per minute in all (only decisions on a pending preview of the deciding learner count; every attempt counts against decisionsPerLearnerPerHour)'
        )
      }
    }
  }
} as const
