/** `lifelong trust add | list | refresh | export | remove`: the verifier's pinned federation trust anchors. */
import { writeFileSync } from 'node:fs'
import type { Command } from 'commander'
import { LifelongError } from '../../core/errors.ts'
import { formatPublicKey } from '../../core/crypto/ed25519.ts'
import { serialiseTrustAnchor, trustAnchorToJson } from '../../core/federation/anchor.ts'
import type { Manifest } from '../../core/federation/manifest.ts'
import { createSafeFetch } from '../../services/verify/fetch.ts'
import { heldManifest, pinFederation, refreshPin } from '../../services/verify/trust.ts'
import { TrustStore, trustStoreDir, type Pin } from '../../services/verify/trust-store.ts'
import { printJson } from '../output.ts'

const iso = (ms: number): string => new Date(ms).toISOString()

function manifestLine (m: Manifest | undefined): string {
  return m === undefined ? 'none held (credentials cannot be checked until one is: pin from a URL, or pass --manifest)' : `serial ${m.serial}, ${m.members.length} members, issued ${iso(m.issuedAt)}, expires ${iso(m.expiresAt)}`
}

function pinJson (pin: Pin, manifest: Manifest | undefined): Record<string, unknown> {
  return {
    ...trustAnchorToJson(pin.anchor),
    fingerprint: pin.fingerprint,
    source: pin.source,
    ...(pin.manifestUrl === undefined ? {} : { manifestUrl: pin.manifestUrl }),
    pinnedAt: pin.pinnedAt,
    manifest: manifest === undefined ? null : { serial: manifest.serial, members: manifest.members.length, issuedAt: iso(manifest.issuedAt), expiresAt: iso(manifest.expiresAt), fetchedAt: pin.manifestFetchedAt }
  }
}

function describePin (pin: Pin, manifest: Manifest | undefined): string {
  return [
    `${pin.federation}`,
    `  fingerprint    ${pin.fingerprint}`,
    `  operator keys  ${pin.anchor.operatorKeys.map(formatPublicKey).join(', ')}`,
    `  valid          ${iso(pin.anchor.validFrom)} to ${iso(pin.anchor.validUntil)}`,
    `  pinned from    ${pin.source} at ${pin.pinnedAt}`,
    `  manifest       ${manifestLine(manifest)}${pin.manifestUrl === undefined ? '' : `\n  refreshed from ${pin.manifestUrl}`}`
  ].join('\n') + '\n'
}

const storeOption = '--trust-store <dir>'
const storeHelp = 'where pinned anchors are kept (default $LIFELONG_TRUST_STORE, else $XDG_CONFIG_HOME/lifelong/trust or ~/.config/lifelong/trust)'

export function registerTrustCommands (program: Command): void {
  const trust = program.command('trust').description('the federation trust anchors `lifelong verify` checks documents under')

  trust.command('add')
    .description('pin a federation\'s trust anchor from a file or a node\'s /.well-known/lifelong/trust-anchor.json, with its signed manifest when known')
    .argument('<anchor>', 'trust anchor file or URL')
    .option('--manifest <file|url>', 'where the signed manifest is (default, for an anchor URL: the same node\'s /.well-known/lifelong/manifest)')
    .option('--replace', 'replace a different anchor pinned for the same federation')
    .option('--allow-insecure-fetch', 'allow http and loopback or private addresses (development federations only)')
    .option(storeOption, storeHelp)
    .option('--json', 'print the pin as JSON')
    .action(async (source: string, opts) => {
      const store = new TrustStore(trustStoreDir(opts.trustStore))
      const { pin, manifest, replaced } = await pinFederation(store, source, {
        fetch: createSafeFetch({ allowInsecure: opts.allowInsecureFetch === true }),
        ...(opts.manifest === undefined ? {} : { manifest: opts.manifest }),
        replace: opts.replace === true
      })
      if (opts.json === true) {
        printJson({ ...pinJson(pin, manifest), replaced, store: store.dir })
        return
      }
      process.stdout.write(`${replaced ? 'replaced the anchor of' : 'pinned'} ${describePin(pin, manifest)}`)
      process.stdout.write(`stored in ${store.dir}\nCompare the fingerprint with the one the federation's operator publishes elsewhere (its website, its announcement): the anchor is what every later verification trusts.\n`)
    })

  trust.command('list')
    .description('list the pinned federations')
    .option(storeOption, storeHelp)
    .option('--json', 'print as JSON')
    .action((opts) => {
      const store = new TrustStore(trustStoreDir(opts.trustStore))
      const pins = store.list().map((pin) => {
        let manifest: Manifest | undefined
        try {
          manifest = heldManifest(pin)
        } catch {}
        return { pin, manifest }
      })
      if (opts.json === true) {
        printJson({ store: store.dir, federations: pins.map((p) => pinJson(p.pin, p.manifest)) })
        return
      }
      if (pins.length === 0) {
        process.stdout.write(`no trust anchor pinned in ${store.dir}: run \`lifelong trust add <trust anchor file or URL>\`\n`)
        return
      }
      process.stdout.write(`${store.dir}\n`)
      for (const p of pins) process.stdout.write(describePin(p.pin, p.manifest))
    })

  trust.command('refresh')
    .description('fetch the signed manifest of pinned federations again (checked under the anchor; an older serial is refused)')
    .argument('[federation]', 'one federation (default: every one pinned from a URL)')
    .option('--allow-insecure-fetch', 'allow http and loopback or private addresses (development federations only)')
    .option(storeOption, storeHelp)
    .action(async (federation: string | undefined, opts) => {
      const store = new TrustStore(trustStoreDir(opts.trustStore))
      const fetch = createSafeFetch({ allowInsecure: opts.allowInsecureFetch === true })
      const pins = federation === undefined ? store.list().filter((p) => p.manifestUrl !== undefined) : [store.get(federation)]
      if (pins.length === 0 || pins[0] === undefined) throw new LifelongError('not-found', 'TRUST_NOT_PINNED', federation === undefined ? 'no federation pinned from a URL' : `${federation} is not pinned`)
      for (const pin of pins as Pin[]) {
        const { manifest } = await refreshPin(store, pin, { fetch })
        process.stdout.write(`${pin.federation}: manifest ${manifestLine(manifest)}\n`)
      }
    })

  trust.command('export')
    .description('write a pinned anchor as a file (the canonical lifelong-trust-anchor/v1 document)')
    .argument('<federation>', 'federation ID')
    .option('--out <file>', 'write here instead of stdout')
    .option(storeOption, storeHelp)
    .action((federation: string, opts) => {
      const pin = new TrustStore(trustStoreDir(opts.trustStore)).get(federation)
      if (pin === undefined) throw new LifelongError('not-found', 'TRUST_NOT_PINNED', `${federation} is not pinned`)
      if (opts.out === undefined) process.stdout.write(serialiseTrustAnchor(pin.anchor))
      else {
        writeFileSync(opts.out, serialiseTrustAnchor(pin.anchor))
        process.stderr.write(`${federation} ${pin.fingerprint} → ${opts.out}\n`)
      }
    })

  trust.command('remove')
    .description('unpin a federation')
    .argument('<federation>', 'federation ID')
    .option(storeOption, storeHelp)
    .action((federation: string, opts) => {
      const store = new TrustStore(trustStoreDir(opts.trustStore))
      if (!store.remove(federation)) throw new LifelongError('not-found', 'TRUST_NOT_PINNED', `${federation} is not pinned in ${store.dir}`)
      process.stdout.write(`removed ${federation} from ${store.dir}\n`)
    })
}
