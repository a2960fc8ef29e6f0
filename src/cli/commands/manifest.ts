/** `lifelong manifest keygen | new | add-standby | promote | sign | show | anchor`: the operator's tools. */
import { readFileSync, writeFileSync } from 'node:fs'
import type { Command } from 'commander'
import { createKeyFile, createPqKeyFile, readKeyFile, readPqKeyFile } from '../../core/crypto/key-file.ts'
import { formatPqPublicKey, parsePqPublicKey } from '../../core/crypto/ml-dsa.ts'
import { formatPublicKey, parsePublicKey } from '../../core/crypto/ed25519.ts'
import { manifestFromJson, manifestToJson, narrowManifest, openManifest, signManifest, type ManifestJson } from '../../core/federation/manifest.ts'
import { decodeEnvelope } from '../../core/crypto/envelope.ts'
import { lifelong } from '../../core/gen/proto.js'
import { LifelongError, ValidationError } from '../../core/errors.ts'
import { parseTrustAnchor, serialiseTrustAnchor, trustAnchorFingerprint } from '../../core/federation/anchor.ts'
import { addStandby, promoteStandby } from '../../core/federation/promote.ts'
import { printJson } from '../output.ts'

export function registerManifestCommands (program: Command): void {
  const manifest = program.command('manifest').description('federation manifest tools for the operator')

  manifest.command('keygen')
    .description('create an operator key (PKCS#8 PEM, mode 0600) and print its public key')
    .requiredOption('--out <file>', 'key file to create')
    .option('--ml-dsa', 'an ML-DSA-65 key instead: the post-quantum half of hybrid manifests')
    .action((opts) => {
      if (opts.mlDsa === true) {
        process.stdout.write(`${formatPqPublicKey(createPqKeyFile(opts.out).publicKeyRaw)}\n`)
        return
      }
      const key = createKeyFile(opts.out)
      process.stdout.write(`${formatPublicKey(key.publicKeyRaw)}\n`)
    })

  manifest.command('new')
    .description('write a manifest JSON from the member entries lifelong init wrote (--member-entry), to sign with lifelong manifest sign')
    .requiredOption('--federation <id>', 'federation identifier')
    .requiredOption('--member <file>', 'a member entry file (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--serial <n>', 'serial number (one more than the manifest in force)', (v) => Number.parseInt(v, 10), 1)
    .option('--days <n>', 'days until it expires (re-sign well before)', (v) => Number.parseInt(v, 10), 30)
    .requiredOption('--out <file>', 'manifest JSON to write')
    .action((opts) => {
      const members = (opts.member as string[]).map((file) => {
        try {
          return JSON.parse(readFileSync(file, 'utf8')) as ManifestJson['members'][number]
        } catch (err) {
          throw new LifelongError('invalid', 'CLI_MEMBER_ENTRY_INVALID', `cannot read ${file} as a member entry (lifelong init --member-entry writes one)`, { cause: err })
        }
      })
      const json: ManifestJson = { federation: opts.federation, serial: opts.serial, expiresAt: new Date(Date.now() + opts.days * 86_400_000).toISOString(), members }
      // Checked as sign checks it, so that every bad field shows now and not at signing.
      manifestFromJson(json)
      writeFileSync(opts.out, JSON.stringify(json, null, 2) + '\n')
      process.stdout.write(`manifest of ${opts.federation}, serial ${json.serial}, ${members.length} members, expires ${json.expiresAt} → ${opts.out}\n`)
    })

  // Warm standby and failover (docs/OPERATIONS.md §Warm standby and failover): JSON in, JSON out (serial + 1), signed with `manifest sign`.
  // The manifest in force: its JSON, or the signed file itself (the operator signed it; its content is read as is).
  const readJson = (file: string): ManifestJson => {
    const bytes = readFileSync(file)
    try {
      if (bytes[0] === 0x7b) return JSON.parse(bytes.toString('utf8')) as ManifestJson
      const { manifest: m } = narrowManifest(lifelong.federation.FederationManifest.decode(decodeEnvelope(new Uint8Array(bytes)).payload))
      if (m !== undefined) return manifestToJson(m)
    } catch (err) {
      throw new LifelongError('invalid', 'MANIFEST_INVALID', `cannot read ${file} as a manifest (JSON or signed)`, { cause: err })
    }
    throw new LifelongError('invalid', 'MANIFEST_INVALID', `cannot read ${file} as a manifest (JSON or signed)`)
  }
  const writeChecked = (json: ManifestJson, out: string): void => {
    manifestFromJson(json)
    writeFileSync(out, JSON.stringify(json, null, 2) + '\n')
  }

  manifest.command('add-standby')
    .description('make a member entry (lifelong init --member-entry) the warm standby of a member of its organisation: manifest JSON of serial + 1')
    .requiredOption('--in <file>', 'the manifest in force (signed, or its JSON)')
    .requiredOption('--member <file>', 'the standby\'s member entry')
    .requiredOption('--of <peer ID>', 'the member it follows (the primary)')
    .option('--mode <mode>', 'synchronous (a write is acknowledged once the standby holds it) or asynchronous', 'synchronous')
    .requiredOption('--out <file>', 'manifest JSON to write')
    .action((opts) => {
      if (opts.mode !== 'synchronous' && opts.mode !== 'asynchronous') throw new LifelongError('invalid', 'MANIFEST_INVALID', '--mode is synchronous or asynchronous')
      let entry: ManifestJson['members'][number]
      try {
        entry = JSON.parse(readFileSync(opts.member, 'utf8')) as ManifestJson['members'][number]
      } catch (err) {
        throw new LifelongError('invalid', 'CLI_MEMBER_ENTRY_INVALID', `cannot read ${opts.member} as a member entry (lifelong init --member-entry writes one)`, { cause: err })
      }
      const json = addStandby(readJson(opts.in), entry, opts.of, opts.mode)
      writeChecked(json, opts.out)
      process.stdout.write(`${entry.peerId} follows ${opts.of as string} (${opts.mode as string}); serial ${json.serial} → ${opts.out as string}\n`)
    })

  manifest.command('promote')
    .description('promote a warm standby: manifest JSON of serial + 1 naming it its roles\' primary, its old primary fenced (still listed, so that what it signed keeps verifying)')
    .requiredOption('--in <file>', 'the manifest in force (signed, or its JSON)')
    .requiredOption('--standby <peer ID>', 'the standby to promote')
    .requiredOption('--out <file>', 'manifest JSON to write')
    .action((opts) => {
      const json = promoteStandby(readJson(opts.in), opts.standby)
      writeChecked(json, opts.out)
      const roles = Object.entries(json.primaries ?? {}).filter(([, p]) => p === opts.standby).map(([r]) => r)
      process.stdout.write(`${opts.standby as string} is primary of ${roles.join(', ')}; serial ${json.serial} → ${opts.out as string}; sign it with lifelong manifest sign and place it on the standby\n`)
    })

  manifest.command('sign')
    .description('sign a manifest written as JSON with the operator key')
    .requiredOption('--in <file>', 'manifest JSON')
    .requiredOption('--key <file>', 'operator key')
    .requiredOption('--out <file>', 'signed manifest to write')
    .option('--ml-dsa-key <file>', 'the operator\'s ML-DSA-65 key: sign hybrid (Ed25519 and ML-DSA-65)')
    .action((opts) => {
      let json: ManifestJson
      try {
        json = JSON.parse(readFileSync(opts.in, 'utf8')) as ManifestJson
      } catch (err) {
        throw new LifelongError('invalid', 'MANIFEST_JSON_UNREADABLE', `cannot read ${opts.in} as JSON`, { cause: err })
      }
      const key = readKeyFile(opts.key)
      const mlDsaKey = opts.mlDsaKey === undefined ? undefined : readPqKeyFile(opts.mlDsaKey)
      const bytes = signManifest(key, manifestFromJson(json), mlDsaKey)
      writeFileSync(opts.out, bytes)
      process.stdout.write(
        `signed manifest serial ${json.serial} (${json.members.length} members, ${bytes.length} bytes) → ${opts.out}\nsigner ${formatPublicKey(key.publicKeyRaw)}${
          mlDsaKey === undefined ? '' : ` and ${formatPqPublicKey(mlDsaKey.publicKeyRaw).slice(0, 30)}…`
        }\n`
      )
    })

  manifest.command('show')
    .description('print a signed manifest as JSON; with --operator-key, verify it first')
    .argument('<file>', 'signed manifest')
    .option('--operator-key <key>', 'trusted operator key "ed25519:<base64>"')
    .option('--federation <id>', 'expected federation id')
    .action((file, opts) => {
      const bytes = new Uint8Array(readFileSync(file))
      if (opts.operatorKey !== undefined) {
        const env = decodeEnvelope(bytes)
        const federation = opts.federation ?? lifelong.federation.FederationManifest.decode(env.payload).federation
        const signed = openManifest(bytes, [parsePublicKey(opts.operatorKey)], federation)
        printJson({ verified: true, signer: formatPublicKey(signed.signerKey), ...manifestToJson(signed.manifest) })
        return
      }
      const env = decodeEnvelope(bytes)
      const { manifest: m, fields } = narrowManifest(lifelong.federation.FederationManifest.decode(env.payload))
      if (m === undefined) throw new ValidationError('MANIFEST_INVALID', 'the manifest content is invalid', fields)
      printJson({ verified: false, signer: formatPublicKey(env.publicKey), ...manifestToJson(m) })
    })

  manifest.command('anchor')
    .description('write the federation trust anchor that verifiers pin (operator keys, federation, validity); give it to every member as federation.trustAnchorFile')
    .requiredOption('--federation <id>', 'federation identifier')
    .option('--key <file>', 'an operator key file (its public key is listed; repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--operator-key <key>', 'an operator public key "ed25519:<base64>" or "ml-dsa-65:<base64>" (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--ml-dsa-key <file>', 'an operator ML-DSA-65 key file (its public key is listed; repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--valid-from <time>', 'first issue time of a manifest it vouches for (ISO 8601; default now)')
    .requiredOption('--valid-until <time>', 'manifests issued from this time on are not vouched for (ISO 8601)')
    .requiredOption('--out <file>', 'anchor file to write')
    .action((opts) => {
      const given = (opts.operatorKey ?? []) as string[]
      const keys = [...((opts.key ?? []) as string[]).map((f) => formatPublicKey(readKeyFile(f).publicKeyRaw)), ...given.filter((k) => !k.startsWith('ml-dsa-65:'))]
      const mlDsaKeys = [...((opts.mlDsaKey ?? []) as string[]).map((f) => formatPqPublicKey(readPqKeyFile(f).publicKeyRaw)), ...given.filter((k) => k.startsWith('ml-dsa-65:')).map((k) => formatPqPublicKey(parsePqPublicKey(k)))]
      if (keys.length === 0) throw new LifelongError('invalid', 'CLI_KEY_REQUIRED', 'give at least one --key or --operator-key')
      // Parsed back from its JSON form, so that every bad field is reported as for a received anchor.
      const anchor = parseTrustAnchor(
        JSON.stringify({
          format: 'lifelong-trust-anchor/v1',
          federation: opts.federation,
          operatorKeys: keys,
          ...(mlDsaKeys.length === 0 ? {} : { operatorMlDsaKeys: mlDsaKeys }),
          validFrom: opts.validFrom ?? new Date().toISOString(),
          validUntil: opts.validUntil
        })
      )
      writeFileSync(opts.out, serialiseTrustAnchor(anchor))
      process.stdout.write(`trust anchor of ${opts.federation} → ${opts.out}
fingerprint ${trustAnchorFingerprint(anchor)} (publish it where verifiers can compare it)
`)
    })
}
