/**
 * Parses and validates a node's config once, into a frozen object. Every problem is reported
 * at once with its path (JSON Schema errors, then the checks a schema cannot express: the
 * organisation number's check digit, role combinations, the OIDC client's authentication,
 * multiaddrs, operator keys).
 */
import { readFileSync } from 'node:fs'
import { dirname, isAbsolute, resolve } from 'node:path'
import { Ajv, type ValidateFunction } from 'ajv'
import addFormatsPlugin from 'ajv-formats'
import { multiaddr } from '@multiformats/multiaddr'
import { ValidationError, LifelongError, type FieldError } from '../errors.ts'
import { validateOrganisationNumber } from '../identifiers/index.ts'
import { parsePublicKey } from '../crypto/ed25519.ts'
import { parsePqPublicKey } from '../crypto/ml-dsa.ts'
import type { SignaturePolicy } from '../crypto/policy.ts'
import { roleCombinationProblems, type Role } from '../federation/roles.ts'
import { configSchema } from './schema.ts'
import type { EmrexConfig } from './emrex.ts'
import type { HarvestConfig } from './harvest.ts'
import { oidcClientConfig, oidcClientProblems, type OidcClientConfig } from './oidc.ts'
import { workbenchProblems, type WorkbenchConfig } from './workbench.ts'
import type { OotsConfig } from './oots.ts'
import type { WalletConfig } from './wallet.ts'

/** Who a bearer token names: a learner or a service (src/edges/http/auth.ts checks the tokens). */
export type PrincipalKind = 'learner' | 'service'

/** An issuer of bearer tokens the node accepts (`auth.issuers`). */
export interface TokenIssuer {
  /** The `iss` claim, exactly. */
  readonly issuer: string
  /** The `aud` the token must carry. */
  readonly audience: string
  readonly principal: PrincipalKind
  /** Ed25519 keys as "ed25519:<base64>" (tokens signed with EdDSA). */
  readonly publicKeys: readonly string[]
  /** The issuer's JWKS URL, instead of or beside the keys. */
  readonly jwksUrl?: string
  /** The claim that holds the learner's identifier (default `sub`; ID-porten: `pid`). */
  readonly subjectClaim: string
  /** A development issuer (the local federation's): logged loudly at start. */
  readonly development: boolean
}

export interface NodeConfig {
  /** The file the config came from, if any. */
  readonly configFile?: string
  readonly name: string
  readonly organisationNumber: string
  readonly roles: readonly Role[]
  /** Absolute. */
  readonly dataDir: string
  /** Absolute. */
  readonly keyFile: string
  /** Where the node keeps its state (src/store/leveldb/storage.ts). */
  readonly storage: { readonly engine: 'leveldb' | 'memory' }
  readonly p2p: {
    readonly listen: readonly string[]
    readonly announce: readonly string[]
    readonly addressScope: 'public' | 'private' | 'loopback'
    readonly maxConnections: number
    readonly dialTimeoutMs: number
  }
  readonly http: {
    readonly host: string
    readonly port: number
    readonly publicUrl?: string
    readonly bodyLimitBytes: number
    readonly trustProxy: boolean
    readonly allowedHosts: readonly string[]
    readonly rateLimit: {
      readonly enabled: boolean
      readonly windowSeconds: number
      readonly publicMax: number
      readonly signIn: number
      readonly shareOpen: number
      readonly walletToken: number
      readonly walletCredential: number
      readonly emrexEntry: number
      readonly walletPresentation: number
    }
  }
  readonly federation: {
    readonly id: string
    /** Absolute. */
    readonly manifestFile: string
    /** Raw 32-byte Ed25519 keys. */
    readonly operatorKeys: readonly Uint8Array[]
    /** Raw ML-DSA-65 operator keys (hybrid manifests); may be empty. */
    readonly operatorMlDsaKeys: readonly Uint8Array[]
    /** Absolute; the published trust anchor (src/core/federation/anchor.ts). */
    readonly trustAnchorFile?: string
    readonly expiryWarningHours: number
    readonly refreshIntervalSeconds: number
  }
  readonly rpc: {
    readonly maxMessageBytes: number
    readonly maxConcurrentPerPeer: number
    readonly deadlineMs: number
    readonly clockSkewMs: number
  }
  readonly logging: { readonly level: string }
  readonly identifiers: { readonly allowSynthetic: boolean }
  readonly portal: {
    readonly oidc?: PortalOidcConfig
    readonly devIssuer: boolean
    readonly fanoutDeadlineMs: number
    readonly fanOutsPerLearnerPerMinute: number
    readonly shareMaxDays: number
    readonly session: { readonly idleMinutes: number, readonly absoluteHours: number }
    /** Wallet credentials: issuance and presentations (paths absolute). */
    readonly wallet: WalletConfig
  }
  readonly auth: { readonly issuers: readonly TokenIssuer[] }
  /** Post-quantum hybrid signatures: the node's ML-DSA-65 key (absolute path) and its verification policy. */
  readonly signatures: {
    readonly mlDsaKeyFile?: string
    /** Seal result versions hybrid (with the ML-DSA-65 key). */
    readonly hybridSeals: boolean
    readonly policy: SignaturePolicy
  }
  readonly log: {
    readonly checkpointIntervalMs: number
    readonly checkpointEveryEntries: number
    readonly witness: 'all' | 'none' | readonly string[]
    readonly gossipIntervalMs: number
    readonly maxEntriesPerRequest: number
  }
  /** EMREX provider and client (portal role); paths absolute. */
  readonly emrex?: EmrexConfig
  /** Results harvested from the student system (institution nodes). */
  readonly harvest?: HarvestConfig
  /** The OOTS listener for the national access point (portal role); paths absolute. Absent: no OOTS query endpoint. */
  readonly oots?: OotsConfig
  /** The institution workbench for the node's staff (institution role); paths absolute. */
  readonly workbench?: WorkbenchConfig
}

/** The portal's OpenID Connect client (authorization code flow with PKCE); endpoints filled in. */
export type PortalOidcConfig = OidcClientConfig

const addFormats = addFormatsPlugin as unknown as (ajv: Ajv) => Ajv
let compiled: ValidateFunction | undefined

/**
 * The config schema's check, compiled on first use (about 60 ms of CPU): a CLI command that reads
 * no node config (`manifest keygen`, `verify`, `trust add`) does not pay for it at start.
 */
function validateSchema (): ValidateFunction {
  compiled ??= addFormats(new Ajv({ allErrors: true, useDefaults: true, strict: true, allowUnionTypes: true })).compile(configSchema)
  return compiled
}

/** Turns Ajv's error list into field errors with readable paths. */
function schemaErrors (): FieldError[] {
  return (validateSchema().errors ?? []).map((e) => {
    const missing = e.keyword === 'required' ? `/${String((e.params as { missingProperty: string }).missingProperty)}` : ''
    const extra = e.keyword === 'additionalProperties' ? `/${String((e.params as { additionalProperty: string }).additionalProperty)}` : ''
    const path = `${e.instancePath}${missing}${extra}` || '/'
    const message = e.keyword === 'additionalProperties' ? 'unknown field' : (e.message ?? 'invalid')
    return { path, message }
  })
}

function deepFreeze<T> (value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value) && !(value instanceof Uint8Array)) {
    for (const v of Object.values(value)) deepFreeze(v)
    Object.freeze(value)
  }
  return value
}

/**
 * Validates a parsed config object. Relative paths are resolved against `baseDir` (the config
 * file's directory). Throws a {@link ValidationError} `CONFIG_INVALID` listing every bad field.
 */
export function parseConfig (input: unknown, baseDir: string, configFile?: string): NodeConfig {
  const raw: any = structuredClone(input)
  const fields: FieldError[] = validateSchema()(raw) ? [] : schemaErrors()
  const isObject = raw !== null && typeof raw === 'object' && !Array.isArray(raw)

  if (
    isObject && typeof raw.organisationNumber === 'string' && /^[0-9]{9}$/.test(raw.organisationNumber) &&
    !validateOrganisationNumber(raw.organisationNumber).valid
  ) {
    fields.push({ path: '/organisationNumber', message: 'check digit does not match (mod 11)' })
  }
  if (isObject && Array.isArray(raw.roles)) {
    for (const problem of roleCombinationProblems(raw.roles.filter((r: unknown) => typeof r === 'string'))) {
      if (!problem.startsWith('unknown role')) fields.push({ path: '/roles', message: problem })
    }
  }
  for (const group of ['listen', 'announce'] as const) {
    const list: unknown = raw?.p2p?.[group]
    if (!Array.isArray(list)) continue
    list.forEach((addr, i) => {
      if (typeof addr !== 'string') return
      try {
        multiaddr(addr)
      } catch {
        fields.push({ path: `/p2p/${group}/${i}`, message: 'not a valid multiaddr' })
      }
    })
  }
  if (isObject && raw.portal?.devIssuer === true && raw.identifiers?.allowSynthetic !== true) {
    fields.push({ path: '/portal/devIssuer', message: 'the development issuer signs in made-up learners: only with identifiers.allowSynthetic (test and demo federations)' })
  }
  const session: any = raw?.portal?.session
  if (session !== null && typeof session === 'object' && Number.isInteger(session.idleMinutes) && Number.isInteger(session.absoluteHours) && session.idleMinutes > session.absoluteHours * 60) {
    fields.push({ path: '/portal/session/idleMinutes', message: 'the idle timeout must not be longer than the absolute timeout (absoluteHours)' })
  }
  fields.push(...oidcClientProblems(raw?.portal?.oidc, '/portal/oidc'), ...oidcClientProblems(raw?.workbench?.oidc, '/workbench/oidc'))
  if (isObject) fields.push(...workbenchProblems(raw.workbench, raw.roles, raw.identifiers?.allowSynthetic === true))
  if (isObject && raw.harvest !== undefined && Array.isArray(raw.roles) && !raw.roles.includes('institution')) {
    fields.push({ path: '/harvest', message: 'harvesting results needs the institution role' })
  }
  if (isObject && Array.isArray(raw.harvest?.sources)) {
    const ids = raw.harvest.sources.map((h: { id?: unknown }) => h?.id)
    raw.harvest.sources.forEach((h: { id?: unknown, file?: unknown, url?: unknown }, i: number) => {
      if ((h?.file === undefined) === (h?.url === undefined)) fields.push({ path: `/harvest/sources/${i}`, message: 'give exactly one of file and url' })
      if (ids.indexOf(h?.id) !== i) fields.push({ path: `/harvest/sources/${i}/id`, message: 'source IDs must be unique' })
    })
  }
  if (isObject && raw.emrex !== undefined && Array.isArray(raw.roles) && !raw.roles.includes('portal')) {
    fields.push({ path: '/emrex', message: 'EMREX needs the portal role' })
  }
  if (isObject && raw.oots !== undefined && Array.isArray(raw.roles) && !raw.roles.includes('portal')) {
    fields.push({ path: '/oots', message: 'the OOTS evidence provider needs the portal role' })
  }
  if (Array.isArray(raw?.oots?.gateways)) {
    const ids = raw.oots.gateways.map((g: { id?: unknown }) => g?.id)
    ids.forEach((id: unknown, i: number) => {
      if (ids.indexOf(id) !== i) fields.push({ path: `/oots/gateways/${i}/id`, message: 'gateway IDs must be unique' })
    })
  }
  if (isObject && raw.oots?.listen !== undefined && raw.http !== undefined && raw.oots.listen.port !== 0 && raw.oots.listen.port === raw.http.port && raw.oots.listen.host === raw.http.host) {
    fields.push({ path: '/oots/listen', message: 'the OOTS listener needs its own port, not the portal\'s' })
  }
  const operatorKeys: Uint8Array[] = []
  if (Array.isArray(raw?.federation?.operatorKeys)) {
    raw.federation.operatorKeys.forEach((k: unknown, i: number) => {
      if (typeof k !== 'string') return
      try {
        operatorKeys.push(parsePublicKey(k))
      } catch (err) {
        fields.push({ path: `/federation/operatorKeys/${i}`, message: (err as Error).message })
      }
    })
  }
  const operatorMlDsaKeys: Uint8Array[] = []
  if (Array.isArray(raw?.federation?.operatorMlDsaKeys)) {
    raw.federation.operatorMlDsaKeys.forEach((k: unknown, i: number) => {
      if (typeof k !== 'string') return
      try {
        operatorMlDsaKeys.push(parsePqPublicKey(k))
      } catch (err) {
        fields.push({ path: `/federation/operatorMlDsaKeys/${i}`, message: (err as Error).message })
      }
    })
  }
  if (raw?.signatures?.hybridSeals === true && raw.signatures.mlDsaKeyFile === undefined) fields.push({ path: '/signatures/hybridSeals', message: 'hybrid seals need mlDsaKeyFile' })
  if (raw?.signatures?.policy === 'both-required') {
    if (raw.signatures.mlDsaKeyFile === undefined) fields.push({ path: '/signatures/mlDsaKeyFile', message: 'the both-required policy needs the node\'s own ML-DSA-65 key' })
    if (operatorMlDsaKeys.length === 0) fields.push({ path: '/federation/operatorMlDsaKeys', message: 'the both-required policy needs the operator\'s ML-DSA-65 key(s)' })
  }

  if (Array.isArray(raw?.auth?.issuers)) {
    raw.auth.issuers.forEach((issuer: any, i: number) => {
      const keys: unknown = issuer?.publicKeys
      if (Array.isArray(keys)) {
        keys.forEach((k, j) => {
          if (typeof k !== 'string') return
          try {
            parsePublicKey(k)
          } catch (err) {
            fields.push({ path: `/auth/issuers/${i}/publicKeys/${j}`, message: (err as Error).message })
          }
        })
      }
      if (issuer !== null && typeof issuer === 'object' && (!Array.isArray(keys) || keys.length === 0) && issuer.jwksUrl === undefined) {
        fields.push({ path: `/auth/issuers/${i}`, message: 'needs publicKeys or a jwksUrl' })
      }
    })
  }

  if (fields.length > 0) {
    const where = configFile === undefined ? 'config' : configFile
    throw new ValidationError('CONFIG_INVALID', `${where}: ${fields.length} problem(s): ${fields.map((f) => `${f.path} ${f.message}`).join('; ')}`, fields)
  }

  const abs = (p: string): string => isAbsolute(p) ? p : resolve(baseDir, p)
  const dataDir = abs(raw.dataDir)
  const config: NodeConfig = {
    ...(configFile === undefined ? {} : { configFile }),
    name: raw.name,
    organisationNumber: raw.organisationNumber,
    roles: raw.roles,
    dataDir,
    keyFile: raw.keyFile === undefined ? resolve(dataDir, 'node.key') : abs(raw.keyFile),
    storage: raw.storage,
    p2p: raw.p2p,
    http: raw.http,
    federation: { ...raw.federation, manifestFile: abs(raw.federation.manifestFile), operatorKeys, operatorMlDsaKeys, ...(raw.federation.trustAnchorFile === undefined ? {} : { trustAnchorFile: abs(raw.federation.trustAnchorFile) }) },
    rpc: raw.rpc,
    logging: raw.logging,
    identifiers: raw.identifiers,
    portal: { ...raw.portal, ...(raw.portal.oidc === undefined ? {} : { oidc: oidcClientConfig(raw.portal.oidc, abs) }), wallet: walletConfig(raw.portal.wallet, abs) },
    auth: raw.auth,
    signatures: { policy: raw.signatures.policy, hybridSeals: raw.signatures.hybridSeals, ...(raw.signatures.mlDsaKeyFile === undefined ? {} : { mlDsaKeyFile: abs(raw.signatures.mlDsaKeyFile) }) },
    log: raw.log,
    ...(raw.workbench === undefined
      ? {}
      : { workbench: { ...raw.workbench, ...(raw.workbench.oidc === undefined ? {} : { oidc: { ...oidcClientConfig(raw.workbench.oidc, abs), subjectClaim: raw.workbench.oidc.subjectClaim } }) } }),
    ...(raw.harvest === undefined ? {} : { harvest: { sources: raw.harvest.sources.map((h: { file?: string }) => ({ ...h, ...(h.file === undefined ? {} : { file: abs(h.file) }) })) } }),
    ...(raw.emrex === undefined
      ? {}
      : {
        emrex: {
          ...raw.emrex,
          certificateFile: abs(raw.emrex.certificateFile),
          keyFile: abs(raw.emrex.keyFile),
          providers: raw.emrex.providers.map((p: { certificateFiles: string[], retiredCertificates?: Array<{ file: string, retiredAt: string }> }) => ({
            ...p,
            certificateFiles: p.certificateFiles.map(abs),
            retiredCertificates: (p.retiredCertificates ?? []).map((r) => ({ file: abs(r.file), retiredAt: r.retiredAt }))
          }))
        }
      }),
    ...(raw.oots === undefined
      ? {}
      : {
        oots: {
          ...raw.oots,
          tls: { certificateFile: abs(raw.oots.tls.certificateFile), keyFile: abs(raw.oots.tls.keyFile) },
          gateways: raw.oots.gateways.map((g: { certificateFiles: string[] }) => ({ ...g, certificateFiles: g.certificateFiles.map(abs) }))
        }
      })
  }
  return deepFreeze(config)
}

/** `portal.wallet` with its files resolved against the config file's directory. */
function walletConfig (raw: WalletConfig, abs: (p: string) => string): WalletConfig {
  return {
    ...raw,
    walletProviderRootFiles: raw.walletProviderRootFiles.map(abs),
    ...(raw.certificateChainFile === undefined ? {} : { certificateChainFile: abs(raw.certificateChainFile) }),
    ...(raw.certificateRootFile === undefined ? {} : { certificateRootFile: abs(raw.certificateRootFile) }),
    ...(raw.verifier === undefined ? {} : { verifier: { certificateChainFile: abs(raw.verifier.certificateChainFile), keyFile: abs(raw.verifier.keyFile) } })
  }
}

/** Reads, parses and validates a config file. */
export function loadConfig (file: string): NodeConfig {
  const path = resolve(file)
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw new LifelongError('invalid', 'CONFIG_UNREADABLE', `cannot read config file ${path}`, { cause: err })
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    throw new ValidationError('CONFIG_INVALID', `${path}: not valid JSON: ${(err as Error).message}`, [{ path: '/', message: 'not valid JSON' }], { cause: err })
  }
  return parseConfig(json, dirname(path), path)
}
