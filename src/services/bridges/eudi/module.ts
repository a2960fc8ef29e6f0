/**
 * The EUDI wallet issuer as a node module (portal role): the issuer service, a timer that prunes
 * expired offers, codes, tokens and nonces, and one that runs the credential status upkeep (its
 * HTTP routes: src/edges/bridges/eudi/routes.ts). Built by the composition root.
 *
 * At start it loads the issuer key, its certificate chain (checked against the configured root
 * and against the key: a chain that does not certify this key, or leads elsewhere, stops the
 * node with `EUDI_CERTIFICATE_INVALID`) and the wallet providers' roots. While it serves it looks
 * at its issuer key set every few seconds and follows a rollover made with `lifelong issuer-keys`
 * (signing-keys.ts; docs/OPERATIONS.md, "Issuer key rollover") without a restart.
 */
import { statSync } from 'node:fs'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { X509Certificate } from 'node:crypto'
import { LifelongError } from '../../../core/errors.ts'
import type { Logger } from '../../../core/observability/logger.ts'
import type { Sublevel } from '../../../store/leveldb/storage.ts'
import type { LogWriter } from '../../../store/log/unit-of-work.ts'
import type { AccessLog, VerifiedResults } from '../ports.ts'
import { EudiIssuer, type EudiIssuerInit } from './issuer.ts'
import { certifiesKey, readCertificates } from '../../../core/crypto/x509.ts'
import { issuerKeySetDir } from '../../../core/crypto/issuer-key-set.ts'
import { checkIssuerChain, loadEudiSigningKeys, type EudiSigningKeysInit } from './signing-keys.ts'
import { loadOrCreateP256KeyFile } from '../../../core/crypto/p256.ts'
import type { Manifest } from '../../../core/federation/manifest.ts'
import type { FetchedDocument, SafeFetch } from '../../verify/fetch.ts'
import { PresentationVerifier } from './presentations.ts'

export interface EudiModuleComponents {
  store: Sublevel
  log: LogWriter
  logger: Logger
  accessLog?: AccessLog
  /** The learner's verified results (refresh grants, status upkeep). */
  results?: VerifiedResults
  now?: () => number
  /** The manifests of the pinned federation (the presentation verifier's issuer keys). */
  manifests?: () => readonly Manifest[]
  /** Fetches other issuers' status lists and type metadata (this portal's own are read in-process). */
  fetch?: SafeFetch
}

export interface EudiModuleInit extends Omit<EudiIssuerInit, 'certificateChain' | 'walletProviderRoots'> {
  /** The node's data directory: the issuer key lives at `<dataDir>/eudi-issuer.key`. */
  dataDir: string
  /** PEM files: the issuer key's chain (leaf first) and the root it must lead to. */
  certificateChainFile?: string
  certificateRootFile?: string
  /** PEM files of the wallet providers' roots. */
  walletProviderRootFiles?: readonly string[]
  pruneIntervalMs?: number
  /** The verifier's request-signing certificate chain and key (PEM files), for signed presentation requests (HAIP). */
  verifier?: { certificateChainFile: string, keyFile: string }
  presentationTtlSeconds?: number
  /** How often the issuer key set is looked at for a rollover (default 5 s). */
  keySetCheckMs?: number
}

/** Without a fetch, documents of other issuers are not fetched (the check says so). */
const refuseFetch: SafeFetch = async (url) => {
  throw new LifelongError('unavailable', 'EUDI_FETCH_UNAVAILABLE', `cannot fetch ${url}`)
}

/**
 * This portal's own status lists and type metadata, read in-process rather than over HTTP (the
 * portal need not reach its own public URL, and the answer is what it would serve).
 */
function ownDocuments (issuer: EudiIssuer): (url: string) => Promise<FetchedDocument | undefined> {
  return async (url) => {
    const base = issuer.issuer
    if (!url.startsWith(`${base}/`)) return undefined
    const list = /^\/eudi\/status-lists\/([1-9][0-9]{0,8})$/.exec(url.slice(base.length))
    if (list !== null) {
      const token = await issuer.statusListToken(list[1] as string)
      return token === undefined ? undefined : { url, status: 200, contentType: 'application/statuslist+jwt', body: new TextEncoder().encode(token) }
    }
    const doc = issuer.typeMetadata().byVct.get(url)
    return doc === undefined ? undefined : { url, status: 200, contentType: 'application/json', body: new TextEncoder().encode(doc) }
  }
}

export class EudiModule {
  readonly name = 'eudi'
  readonly issuer: EudiIssuer
  /** The OpenID4VP verifier of the employers' "from a wallet" path. */
  readonly presentations: PresentationVerifier
  private readonly pruneIntervalMs: number
  private readonly upkeepIntervalMs: number
  private readonly logger: Logger
  private timers: NodeJS.Timeout[] = []
  private readonly keysInit: Omit<EudiSigningKeysInit, 'now'>
  private readonly now: () => number
  private readonly keySetCheckMs: number
  /** set.json's modification time when last read (0: no set). */
  private keySetSeen: number

  private constructor (components: EudiModuleComponents, init: EudiModuleInit, issuer: EudiIssuer, presentations: PresentationVerifier, keysInit: Omit<EudiSigningKeysInit, 'now'>) {
    this.issuer = issuer
    this.presentations = presentations
    this.logger = components.logger
    this.keysInit = keysInit
    this.now = components.now ?? Date.now
    this.keySetCheckMs = init.keySetCheckMs ?? 5000
    this.keySetSeen = this.keySetMtime()
    this.pruneIntervalMs = init.pruneIntervalMs ?? 60_000
    // The upkeep looks every minute (or more often with a shorter interval) for learners due.
    this.upkeepIntervalMs = Math.min(60_000, (init.statusCheckIntervalSeconds ?? 3600) * 1000)
  }

  static async create (components: EudiModuleComponents, init: EudiModuleInit): Promise<EudiModule> {
    const now = (components.now ?? Date.now)()
    const root = init.certificateRootFile === undefined ? undefined : readCertificates(init.certificateRootFile)
    const configuredChain = init.certificateChainFile === undefined ? undefined : readCertificates(init.certificateChainFile)
    const keysInit = { dataDir: init.dataDir, ...(configuredChain === undefined ? {} : { certificateChain: configuredChain }), ...(root === undefined ? {} : { root }) }
    const keys = await loadEudiSigningKeys({ ...keysInit, now })
    if (!keys.fromSet && configuredChain !== undefined) checkIssuerChain(configuredChain, keys.key.publicKey, root, new Date(now), init.certificateChainFile as string)
    const walletProviderRoots = (init.walletProviderRootFiles ?? []).flatMap((f) => readCertificates(f))
    const issuer = new EudiIssuer(
      { store: components.store, log: components.log, key: keys.key, logger: components.logger, accessLog: components.accessLog, results: components.results, now: components.now },
      { ...init, walletProviderRoots, ...(keys.chain === undefined ? {} : { certificateChain: keys.chain }) }
    )
    issuer.useKeys(keys.key, keys.chain, keys.published)
    let signer: { key: ReturnType<typeof loadOrCreateP256KeyFile>, chain: X509Certificate[] } | undefined
    if (init.verifier !== undefined) {
      // Read, never made here: a key nobody's certificate names would be of no use.
      if (!existsSync(init.verifier.keyFile)) throw new LifelongError('invalid', 'EUDI_CERTIFICATE_INVALID', `the verifier key ${init.verifier.keyFile} does not exist`)
      const key = loadOrCreateP256KeyFile(init.verifier.keyFile)
      const chain = readCertificates(init.verifier.certificateChainFile)
      if (!certifiesKey(chain[0] as X509Certificate, key)) {
        throw new LifelongError('invalid', 'EUDI_CERTIFICATE_INVALID', `${init.verifier.certificateChainFile}: its first certificate does not certify the verifier key ${init.verifier.keyFile}`)
      }
      signer = { key, chain }
    }
    const own = ownDocuments(issuer)
    const presentations = new PresentationVerifier({
      store: components.store,
      logger: components.logger,
      now: components.now ?? Date.now,
      manifests: components.manifests ?? (() => []),
      fetch: async (url, request) => (await own(url)) ?? await (components.fetch ?? refuseFetch)(url, request)
    }, {
      baseUrl: init.issuerUrl,
      ...(init.presentationTtlSeconds === undefined ? {} : { ttlSeconds: init.presentationTtlSeconds }),
      ...(signer === undefined ? {} : { signer }),
      ...(init.certificateRootFile === undefined ? {} : { issuerRoot: readCertificates(init.certificateRootFile)[0] as X509Certificate })
    })
    return new EudiModule(components, init, issuer, presentations, keysInit)
  }

  private keySetMtime (): number {
    try {
      return statSync(join(issuerKeySetDir(this.keysInit.dataDir, 'eudi'), 'set.json')).mtimeMs
    } catch {
      return 0
    }
  }

  /**
   * Follows the issuer key set when it changed since last read (a `lifelong issuer-keys` command):
   * the issuer signs with its active key and publishes the next and previous ones. A set it cannot
   * use (a chain that does not lead to the root, a missing key file) is logged and the keys in use
   * stay. Returns whether the keys changed.
   */
  async reloadKeys (): Promise<boolean> {
    const seen = this.keySetMtime()
    if (seen === this.keySetSeen) return false
    this.keySetSeen = seen
    try {
      const keys = await loadEudiSigningKeys({ ...this.keysInit, now: this.now() })
      const before = this.issuer.keyId
      this.issuer.useKeys(keys.key, keys.chain, keys.published)
      this.logger.info({ kid: keys.key.jwk.kid, previousKid: before, published: keys.published.map((k) => k.kid) }, 'credential issuer keys reloaded')
      return true
    } catch (err) {
      this.logger.error({ code: err instanceof LifelongError ? err.code : 'ERROR', err }, 'the credential issuer key set cannot be used: the keys in use stay')
      return false
    }
  }

  async start (): Promise<void> {
    const prune = setInterval(() => {
      this.issuer.prune().catch((err: unknown) => {
        this.logger.warn({ err }, 'pruning expired offers failed')
      })
    }, this.pruneIntervalMs)
    let running = false
    const upkeep = setInterval(() => {
      if (running) return
      running = true
      this.issuer.upkeep().catch((err: unknown) => {
        this.logger.warn({ err }, 'credential status upkeep failed')
      }).finally(() => {
        running = false
      })
    }, this.upkeepIntervalMs)
    const keys = setInterval(() => {
      void this.reloadKeys()
    }, this.keySetCheckMs)
    prune.unref()
    upkeep.unref()
    keys.unref()
    this.timers = [prune, upkeep, keys]
  }

  async stop (): Promise<void> {
    for (const t of this.timers) clearInterval(t)
  }
}
