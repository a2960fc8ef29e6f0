/**
 * The verifier's trust store: the federations a user pinned with `lifelong trust add`, one JSON
 * file per federation (`<dir>/<federation id>.json`) holding the anchor, where it was pinned
 * from, where its manifest is refreshed from, and the latest manifest that verified against it.
 *
 * Where: `--trust-store <dir>`, else `$LIFELONG_TRUST_STORE`, else
 * `$XDG_CONFIG_HOME/lifelong/trust` (`~/.config/lifelong/trust`). Nothing in it is secret; what
 * matters is that only its owner can change it, so the directory is created with mode 0700.
 * A stored manifest is checked against the anchor again every time it is read: the file is
 * a cache, never a source of trust.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { LifelongError } from '../../core/errors.ts'
import { parseTrustAnchor, serialiseTrustAnchor, trustAnchorFingerprint, type TrustAnchor } from '../../core/federation/anchor.ts'

/** The environment variable naming the trust store directory. */
export const TRUST_STORE_ENV = 'LIFELONG_TRUST_STORE'
const PIN_FORMAT = 'lifelong-trust-pin/v1'

/** The trust store directory: explicit, else the environment, else the XDG config directory. */
export function trustStoreDir (explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit !== undefined && explicit !== '') return explicit
  const fromEnv = env[TRUST_STORE_ENV]
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv
  const config = env.XDG_CONFIG_HOME !== undefined && env.XDG_CONFIG_HOME !== '' ? env.XDG_CONFIG_HOME : join(homedir(), '.config')
  return join(config, 'lifelong', 'trust')
}

/** A pinned federation. */
export interface Pin {
  federation: string
  anchor: TrustAnchor
  fingerprint: string
  /** The URL or file the anchor was pinned from. */
  source: string
  /** Where the signed manifest is refreshed from, if known. */
  manifestUrl?: string
  pinnedAt: string
  /** The latest manifest (SignedEnvelope bytes) that verified against the anchor. */
  manifest?: Uint8Array
  manifestFetchedAt?: string
}

interface PinFile {
  format: typeof PIN_FORMAT
  anchor: unknown
  source: string
  manifestUrl?: string
  pinnedAt: string
  manifest?: string
  manifestFetchedAt?: string
}

export class TrustStore {
  readonly dir: string

  constructor (dir: string) {
    this.dir = dir
  }

  private file (federation: string): string {
    if (!/^[a-z0-9][a-z0-9.-]{0,99}$/.test(federation)) throw new LifelongError('invalid', 'TRUST_FEDERATION_INVALID', `not a federation identifier: ${federation}`)
    return join(this.dir, `${federation}.json`)
  }

  private read (path: string): Pin {
    let doc: PinFile
    let anchor: TrustAnchor
    try {
      doc = JSON.parse(readFileSync(path, 'utf8')) as PinFile
      if (doc.format !== PIN_FORMAT) throw new LifelongError('invalid', 'TRUST_STORE_CORRUPT', `not ${PIN_FORMAT}`)
      anchor = parseTrustAnchor(JSON.stringify(doc.anchor))
    } catch (err) {
      throw new LifelongError('invalid', 'TRUST_STORE_CORRUPT', `${path} is not a pinned trust anchor (remove it with \`lifelong trust remove\`, then pin again)`, { cause: err })
    }
    return {
      federation: anchor.federation as string,
      anchor,
      fingerprint: trustAnchorFingerprint(anchor),
      source: String(doc.source),
      ...(typeof doc.manifestUrl === 'string' ? { manifestUrl: doc.manifestUrl } : {}),
      pinnedAt: String(doc.pinnedAt),
      ...(typeof doc.manifest === 'string' ? { manifest: new Uint8Array(Buffer.from(doc.manifest, 'base64')) } : {}),
      ...(typeof doc.manifestFetchedAt === 'string' ? { manifestFetchedAt: doc.manifestFetchedAt } : {})
    }
  }

  /** Every pinned federation, by federation ID. */
  list (): Pin[] {
    if (!existsSync(this.dir)) return []
    return readdirSync(this.dir).filter((f) => f.endsWith('.json')).sort().map((f) => this.read(join(this.dir, f)))
  }

  get (federation: string): Pin | undefined {
    const path = this.file(federation)
    return existsSync(path) ? this.read(path) : undefined
  }

  /** Writes a pin (atomically: a reader never sees half a file). */
  save (pin: Pin): void {
    if (pin.anchor.federation === undefined) throw new LifelongError('internal', 'TRUST_ANCHOR_NO_FEDERATION', 'only a federation\'s anchor can be pinned')
    mkdirSync(this.dir, { recursive: true, mode: 0o700 })
    const doc: PinFile = {
      format: PIN_FORMAT,
      anchor: JSON.parse(serialiseTrustAnchor(pin.anchor)),
      source: pin.source,
      ...(pin.manifestUrl === undefined ? {} : { manifestUrl: pin.manifestUrl }),
      pinnedAt: pin.pinnedAt,
      ...(pin.manifest === undefined ? {} : { manifest: Buffer.from(pin.manifest).toString('base64') }),
      ...(pin.manifestFetchedAt === undefined ? {} : { manifestFetchedAt: pin.manifestFetchedAt })
    }
    const path = this.file(pin.anchor.federation)
    const tmp = `${path}.${process.pid}.tmp`
    writeFileSync(tmp, JSON.stringify(doc, null, 2) + '\n', { mode: 0o644 })
    renameSync(tmp, path)
  }

  /** Unpins a federation; false if it was not pinned. */
  remove (federation: string): boolean {
    const path = this.file(federation)
    if (!existsSync(path)) return false
    rmSync(path)
    return true
  }
}
