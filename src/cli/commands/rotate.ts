/**
 * `lifelong operator rotate`, `lifelong key rotate | activate`: key rotations while the
 * federation serves (docs/OPERATIONS.md §Rotating the operator key, §Rotating a node key).
 */
import { copyFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Command } from 'commander'
import { createKeyFile, createPqKeyFile, readKeyFile, readPqKeyFile } from '../../core/crypto/key-file.ts'
import { formatPublicKey, peerIdFromRawPublicKey } from '../../core/crypto/ed25519.ts'
import { formatPqPublicKey } from '../../core/crypto/ml-dsa.ts'
import { loadConfig } from '../../core/config/config.ts'
import { LifelongError } from '../../core/errors.ts'
import { decodeEnvelope } from '../../core/crypto/envelope.ts'
import { lifelong } from '../../core/gen/proto.js'
import { manifestFromJson, narrowManifest, openManifest, signManifest, type Manifest } from '../../core/federation/manifest.ts'
import { nextManifestJson, rotateMemberKey, rotateOperatorKey } from '../../core/federation/rotation.ts'
import { ValidationError } from '../../core/errors.ts'

const DAY = 86_400_000
const days = (v: string): number => Number.parseFloat(v)

/** The content of a signed manifest file, unverified (the operator's own, or the node's). */
function readManifest (file: string): Manifest {
  let bytes: Uint8Array
  try {
    bytes = new Uint8Array(readFileSync(file))
  } catch (err) {
    throw new LifelongError('unavailable', 'MANIFEST_UNREADABLE', `cannot read ${file}`, { cause: err })
  }
  const { manifest, fields } = narrowManifest(lifelong.federation.FederationManifest.decode(decodeEnvelope(bytes).payload))
  if (manifest === undefined) throw new ValidationError('MANIFEST_INVALID', `${file}: the manifest content is invalid`, fields)
  return manifest
}

/** Where the next key of `file` waits until `lifelong key activate`. */
const nextFile = (file: string): string => `${file}.next`

export function registerRotateCommands (program: Command): void {
  const operator = program.command('operator').description('the operator\'s key chain')
  operator.command('rotate')
    .description('sign the next manifest with the operator key in use, introducing the next operator key and retiring the one in use after an overlap; members and pinned anchors follow without config edits')
    .requiredOption('--manifest <file>', 'the signed manifest in force')
    .requiredOption('--key <file>', 'the operator key in use')
    .option('--ml-dsa-key <file>', 'the operator\'s ML-DSA-65 key in use (hybrid)')
    .requiredOption('--new-key <file>', 'the next operator key (created if missing)')
    .option('--new-ml-dsa-key <file>', 'the next ML-DSA-65 operator key (created if missing)')
    .option('--overlap <days>', 'days the key in use still signs after this manifest', days, 14)
    .option('--days <n>', 'days until the manifest expires', days, 30)
    .requiredOption('--out <file>', 'the signed manifest to write (also written as JSON beside it, <out>.json, for the next `lifelong manifest sign`)')
    .action((opts) => {
      const key = readKeyFile(opts.key)
      const mlDsaKey = opts.mlDsaKey === undefined ? undefined : readPqKeyFile(opts.mlDsaKey)
      const bytes = new Uint8Array(readFileSync(opts.manifest))
      const federation = lifelong.federation.FederationManifest.decode(decodeEnvelope(bytes).payload).federation
      // The operator's own manifest, checked against the key given: a manifest that key did not sign is not rotated from.
      const current = openManifest(bytes, [key.publicKeyRaw], federation, mlDsaKey === undefined ? [] : [mlDsaKey.publicKeyRaw]).manifest
      const next = existsSync(opts.newKey) ? readKeyFile(opts.newKey) : createKeyFile(opts.newKey)
      const nextMlDsa = opts.newMlDsaKey === undefined ? undefined : existsSync(opts.newMlDsaKey) ? readPqKeyFile(opts.newMlDsaKey) : createPqKeyFile(opts.newMlDsaKey)
      if (mlDsaKey !== undefined && nextMlDsa === undefined) throw new LifelongError('invalid', 'MANIFEST_KEY_ROTATION_INVALID', 'a hybrid operator key is rotated to a hybrid one: give --new-ml-dsa-key')
      const now = Date.now()
      const json = rotateOperatorKey(
        nextManifestJson(current, { expiresAt: now + opts.days * DAY }),
        { ed25519: key, ...(mlDsaKey === undefined ? {} : { mlDsa: mlDsaKey }) },
        { ed25519: next.publicKeyRaw, ...(nextMlDsa === undefined ? {} : { mlDsa: nextMlDsa.publicKeyRaw }) },
        { now, overlapMs: opts.overlap * DAY, since: current.issuedAt }
      )
      json.issuedAt = new Date(now).toISOString()
      const signed = signManifest(key, manifestFromJson(json, now), mlDsaKey)
      writeFileSync(opts.out, signed)
      writeFileSync(`${opts.out}.json`, JSON.stringify(json, null, 2) + '\n')
      process.stdout.write(`manifest serial ${json.serial} signed by ${formatPublicKey(key.publicKeyRaw)} → ${opts.out}
next operator key ${formatPublicKey(next.publicKeyRaw)}${nextMlDsa === undefined ? '' : ` and ${formatPqPublicKey(nextMlDsa.publicKeyRaw).slice(0, 30)}…`}, in force from ${new Date(now).toISOString()}
the key in use is retired ${new Date(now + opts.overlap * DAY).toISOString()}; sign the next manifests with --key ${opts.newKey} (from ${opts.out}.json)
`)
    })

  const key = program.command('key').description('the node\'s own key')
  key.command('rotate')
    .description('create the node\'s next key(s) beside the ones in use and write its member entry with the key history, for the operator to sign into the next manifest')
    .requiredOption('--config <file>', 'node config')
    .option('--manifest <file>', 'the signed manifest in force (default: federation.manifestFile)')
    .option('--overlap <days>', 'days the key in use still signs after the new manifest', days, 1)
    .requiredOption('--out <file>', 'member entry JSON to write (for `lifelong manifest new --from <manifest> --member <file>`)')
    .action((opts) => {
      const config = loadConfig(opts.config)
      const manifest = readManifest(opts.manifest ?? config.federation.manifestFile)
      const current = readKeyFile(config.keyFile)
      const next = existsSync(nextFile(config.keyFile)) ? readKeyFile(nextFile(config.keyFile)) : createKeyFile(nextFile(config.keyFile))
      const mlDsaFile = config.signatures.mlDsaKeyFile
      const nextMlDsa = mlDsaFile === undefined ? undefined : existsSync(nextFile(mlDsaFile)) ? readPqKeyFile(nextFile(mlDsaFile)) : createPqKeyFile(nextFile(mlDsaFile))
      const entry = rotateMemberKey(
        manifest,
        peerIdFromRawPublicKey(current.publicKeyRaw).toString(),
        { publicKey: next.publicKeyRaw, ...(nextMlDsa === undefined ? {} : { mlDsaPublicKey: nextMlDsa.publicKeyRaw }) },
        { now: Date.now(), overlapMs: opts.overlap * DAY }
      )
      writeFileSync(opts.out, JSON.stringify(entry, null, 2) + '\n')
      process.stdout.write(`next node key ${entry.peerId} → ${nextFile(config.keyFile)}${nextMlDsa === undefined ? '' : ` (and ${nextFile(mlDsaFile ?? '')})`}
member entry with its key history → ${opts.out}
the operator signs it into the next manifest; once the node has adopted that manifest, run lifelong key activate --config ${opts.config} and restart the node
`)
    })

  key.command('activate')
    .description('put the next key(s) in place of the ones in use, once the manifest in force lists them (with --manifest, also placed as the node\'s manifest file); then restart the node')
    .requiredOption('--config <file>', 'node config')
    .option('--manifest <file>', 'the signed manifest in force (default: federation.manifestFile)')
    .action((opts) => {
      const config = loadConfig(opts.config)
      const manifest = readManifest(opts.manifest ?? config.federation.manifestFile)
      const next = readKeyFile(nextFile(config.keyFile))
      const peerId = peerIdFromRawPublicKey(next.publicKeyRaw).toString()
      // Started with a key the manifest does not list, the node would be refused by every member.
      if (!manifest.members.some((m) => m.peerId === peerId)) {
        throw new LifelongError('invalid', 'MANIFEST_KEY_ROTATION_INVALID', `manifest serial ${manifest.serial} does not list the next key ${peerId} as a member's key in use: wait for (or place) the manifest the operator signed with it`)
      }
      // The node starts with the manifest that lists its new key (else members refuse it until it fetches one).
      if (opts.manifest !== undefined && resolve(opts.manifest) !== config.federation.manifestFile && readManifest(config.federation.manifestFile).serial < manifest.serial) {
        copyFileSync(opts.manifest, config.federation.manifestFile)
      }
      const stamp = new Date().toISOString().replace(/[:.]/g, '-')
      const files = [config.keyFile, ...(config.signatures.mlDsaKeyFile === undefined ? [] : [config.signatures.mlDsaKeyFile])]
      for (const file of files) {
        if (!existsSync(nextFile(file))) continue
        renameSync(file, `${file}.retired-${stamp}`)
        renameSync(nextFile(file), file)
      }
      process.stdout.write(`the node key is now ${peerId}; restart the node (its log origin and identity stay as they were)\n`)
    })
}
