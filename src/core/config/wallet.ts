/**
 * The `portal.wallet` section of a portal's config (schema merged in `src/core/config/schema.ts`):
 * how the portal issues wallet credentials (OpenID4VCI 1.0, profiled after HAIP 1.0) and verifies
 * presentations from wallets (OpenID4VP 1.0). Every field has a default; docs/CROSS-BORDER.md
 * explains the choices and the HAIP table says which settings the profile asks for.
 */

export interface WalletConfig {
  /** Access token lifetime; Bearer tokens at most 300 s (OpenID4VCI §13.10). */
  readonly accessTokenTtlSeconds: number
  readonly dpop: 'required' | 'optional'
  readonly clientAttestation: 'required' | 'optional' | 'off'
  readonly keyAttestation: 'required' | 'optional'
  /** Absolute paths of PEM roots of the wallet providers trusted to attest wallets and keys. */
  readonly walletProviderRootFiles: readonly string[]
  readonly batchSize: number
  readonly authorizationCode: boolean
  readonly refreshTokenDays: number
  /** Absolute path of the issuer key's certificate chain (PEM, leaf first), if any. */
  readonly certificateChainFile?: string
  /** Absolute path of the root the chain must lead to (checked at start). */
  readonly certificateRootFile?: string
  readonly statusListTtlSeconds: number
  readonly statusCheckMinutes: number
  /** The verifier's request-signing certificate chain and key (OpenID4VP `x509_hash`), absolute paths. */
  readonly verifier?: { readonly certificateChainFile: string, readonly keyFile: string }
  readonly presentationTtlSeconds: number
}

const int = (minimum: number, maximum: number, defaultValue: number, description: string) => ({ type: 'integer', minimum, maximum, default: defaultValue, description })

/** JSON Schema of `portal.wallet`. */
export const walletConfigSchema = {
  type: 'object',
  additionalProperties: false,
  default: {},
  description: 'EUDI wallet credentials: issuing them (OpenID4VCI, HAIP) and verifying presentations (OpenID4VP); docs/CROSS-BORDER.md',
  properties: {
    accessTokenTtlSeconds: int(60, 3600, 300, 'Lifetime of the credential issuer\'s access tokens; a Bearer token (not DPoP-bound) lives at most 300 s (OpenID4VCI 1.0 §13.10)'),
    dpop: { type: 'string', enum: ['required', 'optional'], default: 'optional', description: 'DPoP-bound tokens (RFC 9449): required refuses token requests without a DPoP proof (HAIP); optional binds when the wallet sends one' },
    clientAttestation: {
      type: 'string',
      enum: ['required', 'optional', 'off'],
      default: 'optional',
      description:
        'Wallet attestation as client authentication at the PAR and token endpoints (OAuth attestation-based client auth -07): required (HAIP, also for pre-authorised codes), optional (checked when sent; wallets without it, e.g. Sphereon\'s client, still work), off'
    },
    keyAttestation: {
      type: 'string',
      enum: ['required', 'optional'],
      default: 'optional',
      description: 'Key attestations of the keys credentials are bound to (OpenID4VCI Appendix D): required (advertised as key_attestations_required) or optional (checked when sent)'
    },
    walletProviderRootFiles: {
      type: 'array',
      items: { type: 'string', minLength: 1 },
      default: [],
      description: 'PEM root certificates of the wallet providers trusted to attest wallets and keys (the trust list; relative to the config file)'
    },
    batchSize: int(1, 20, 3, 'Most credentials (one per proved key) in one credential request: copies for unlinkability (batch_credential_issuance; 1 turns batch issuance off)'),
    authorizationCode: { type: 'boolean', default: true, description: 'Offer the authorization code flow (PAR, PKCE, the learner signs in at the portal from the wallet) beside the pre-authorised code' },
    refreshTokenDays: int(1, 365, 30, 'Lifetime of refresh tokens (issued in the authorization code flow, bound to the wallet\'s DPoP or attested key): the wallet gets corrected credentials without the learner'),
    certificateChainFile: {
      type: 'string',
      minLength: 1,
      description: 'PEM certificate chain of the credential issuer key (leaf first, intermediates, no root): its x5c in credentials, status lists and signed metadata (HAIP §6.1.1); relative to the config file'
    },
    certificateRootFile: { type: 'string', minLength: 1, description: 'PEM root the issuer\'s certificate chain must lead to, checked at start (the ecosystem\'s trust anchor); relative to the config file' },
    statusListTtlSeconds: int(60, 86_400, 300, 'How long a relying party may cache a status list token (ttl)'),
    statusCheckMinutes: int(
      1,
      1440,
      60,
      'How often the results of learners holding valid credentials are read again, so that an annulled or corrected result\'s credentials turn invalid within this time (plus statusListTtlSeconds for cached lists)'
    ),
    verifier: {
      type: 'object',
      additionalProperties: false,
      required: ['certificateChainFile', 'keyFile'],
      description: 'The portal as OpenID4VP verifier with signed requests (HAIP x509_hash): its request-signing certificate chain and key; without it only the plain direct_post profile is offered',
      properties: {
        certificateChainFile: { type: 'string', minLength: 1, description: 'PEM certificate chain of the verifier\'s request-signing key (leaf first, no root); relative to the config file' },
        keyFile: { type: 'string', minLength: 1, description: 'PEM PKCS#8 EC P-256 private key of that certificate, mode 0600; relative to the config file' }
      }
    },
    presentationTtlSeconds: int(60, 3600, 600, 'How long an employer\'s presentation request waits for the wallet\'s answer')
  }
} as const
