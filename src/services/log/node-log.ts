/**
 * The node's own events in its log, each a unit of work of its own (src/store/log/unit-of-work.ts):
 *
 * - `node.log-created` when the log is first opened (the origin and the node key);
 * - `node.key-changed` when the node starts with another key than the last start;
 * - `node.config-changed` when the node starts with another config than the last start;
 * - `node.manifest-adopted` for every federation manifest the node adopts (also the one it
 *   loaded at start, if it had not logged it yet).
 *
 * Each of these records is kept by the log itself (inside its entry); none holds personal data.
 */
import { createHash } from 'node:crypto'
import type { NodeConfig } from '../../core/config/config.ts'
import type { Federation } from '../../net/federation/federation.ts'
import type { SignedManifest } from '../../core/federation/manifest.ts'
import type { Logger } from '../../core/observability/logger.ts'
import { formatPublicKey } from '../../core/crypto/ed25519.ts'
import { toLifelongError } from '../../core/errors.ts'
import type { LogEntryInput, LogStore } from '../../store/log/store.ts'
import { eventStateKey, originKey } from '../../store/log/keys.ts'

export interface NodeEventsComponents {
  store: LogStore
  federation: Federation
  logger: Logger
}

export interface NodeEventsInit {
  config: NodeConfig
  peerId: string
  publicKey: Uint8Array
}

/** The lane of the node's events (src/store/log/unit-of-work.ts). */
const EVENTS_LANE = 'node.events'

const json = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value))

/**
 * The config as its change is logged. The workbench's staff list keeps who holds which role (a
 * change of roles is a logged config change) but not their names or sign-in subjects, which are
 * personal (a subject may be a national ID).
 */
function canonicalConfig (config: NodeConfig): unknown {
  const staff = config.workbench?.staff.map((s) => ({ id: s.id, roles: s.roles }))
  const logged = staff === undefined ? config : { ...config, workbench: { ...config.workbench, staff } }
  return JSON.parse(JSON.stringify(logged, (_k, v: unknown) => v instanceof Uint8Array ? formatPublicKey(v) : v))
}

/** The log origin of a node: `<federation id>/log/<peer ID>` (docs/LOG.md §Origins). */
export function logOrigin (federationId: string, peerId: string): string {
  return `${federationId}/log/${peerId}`
}

export class NodeEvents {
  private readonly c: NodeEventsComponents
  private readonly init: NodeEventsInit
  private origin = ''

  constructor (components: NodeEventsComponents, init: NodeEventsInit) {
    this.c = components
    this.init = init
    components.federation.onAdopted(async (next) => {
      await this.manifestAdopted(next)
    })
  }

  /** The log's origin (fixed when the log was created). */
  get logOrigin (): string {
    return this.origin
  }

  /** Fixes the origin on first use and logs what changed since the last start. */
  async start (): Promise<void> {
    const sub = this.c.store.sublevel
    const { config, peerId, publicKey } = this.init
    const stored = await sub.get(originKey())
    const keyText = formatPublicKey(publicKey)
    if (stored === undefined) {
      this.origin = logOrigin(config.federation.id, peerId)
      const origin = this.origin
      await this.c.store.transaction((tx) => {
        tx.log({ type: 'node.log-created', key: 'log', record: json({ origin, publicKey: keyText, peerId, organisationNumber: config.organisationNumber }) })
        tx.logPut({ key: originKey(), value: new TextEncoder().encode(origin) })
      })
      this.c.logger.info({ origin: this.origin }, 'transparency log created')
    } else {
      this.origin = new TextDecoder().decode(stored)
    }
    await this.logIfChanged('key', keyText, (previous) => ({ type: 'node.key-changed', key: 'node-key', record: json({ previous, publicKey: keyText, peerId }) }))
    const canonical = canonicalConfig(config)
    const configHash = createHash('sha256').update(JSON.stringify(canonical)).digest('hex')
    await this.logIfChanged('config', configHash, () => ({ type: 'node.config-changed', key: 'config', record: json(canonical) }))
    try {
      await this.manifestAdopted(this.c.federation.current())
    } catch (err) {
      this.c.logger.warn({ code: toLifelongError(err).code }, 'could not log the manifest in force')
    }
  }

  private async logIfChanged (name: string, value: string, entry: (previous: string | undefined) => LogEntryInput): Promise<void> {
    const sub = this.c.store.sublevel
    await this.c.store.transaction(async (tx) => {
      const previousBytes = await sub.get(eventStateKey(name))
      const previous = previousBytes === undefined ? undefined : new TextDecoder().decode(previousBytes)
      if (previous === value) return
      // The first start records the value without an entry (node.log-created says it all).
      if (previous !== undefined) tx.log(entry(previous))
      tx.logPut({ key: eventStateKey(name), value: new TextEncoder().encode(value) })
    }, { lane: EVENTS_LANE })
  }

  private async manifestAdopted (next: SignedManifest): Promise<void> {
    const serial = String(next.manifest.serial)
    const sub = this.c.store.sublevel
    // In the events' lane: the start and an adoption announced meanwhile log each serial once.
    await this.c.store.transaction(async (tx) => {
      const last = await sub.get(eventStateKey('manifest'))
      if (last !== undefined && Number(new TextDecoder().decode(last)) >= next.manifest.serial) return
      tx.log({ type: 'node.manifest-adopted', key: `manifest/${serial}`, record: next.envelope })
      tx.logPut({ key: eventStateKey('manifest'), value: new TextEncoder().encode(serial) })
    }, { lane: EVENTS_LANE })
  }
}
