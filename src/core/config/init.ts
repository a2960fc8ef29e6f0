/**
 * `lifelong init`: creates a node's key and config. The key is created with mode 0600 and is
 * never printed; the config is validated before it is written, so a bad option never leaves
 * a half-made node behind.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { LifelongError } from '../errors.ts'
import { createKeyFile, createPqKeyFile } from '../crypto/key-file.ts'
import { formatPqPublicKey } from '../crypto/ml-dsa.ts'
import { peerIdFromRawPublicKey } from '../crypto/ed25519.ts'
import { CREDENTIAL_ISSUER_KEY_FILE, loadOrCreateP256KeyFile, p256JwkOf } from '../crypto/p256.ts'
import { parseConfig, type NodeConfig } from './config.ts'

export interface InitOptions {
  roles: string[]
  name: string
  organisationNumber: string
  dataDir: string
  /** Where to write the config; default node-config/<slug of name>.json. */
  configFile?: string
  federation: string
  operatorKeys: string[]
  /** Default <dataDir>/manifest.pb. */
  manifestFile?: string
  /** The trust anchor file the operator hands out with the manifest (`federation.trustAnchorFile`). */
  trustAnchorFile?: string
  listen?: string[]
  /** `p2p.addressScope`: `loopback` for a federation on one machine. */
  addressScope?: string
  httpHost?: string
  httpPort?: number
  publicUrl?: string
  /** `identifiers.allowSynthetic`: test and demo federations only. */
  allowSynthetic?: boolean
  /** Also create an ML-DSA-65 key (`signatures.mlDsaKeyFile`, <dataDir>/node.mldsa.key): the node signs hybrid. */
  hybrid?: boolean
}

export interface InitResult {
  configFile: string
  config: NodeConfig
  peerId: string
  /** The entry to send to the operator for the federation manifest. */
  memberEntry: Record<string, unknown>
}

export function slugify (name: string): string {
  return name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/æ/g, 'ae').replace(/ø/g, 'o').replace(/å/g, 'a')
    .replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'node'
}

export function initNode (options: InitOptions, cwd: string = process.cwd()): InitResult {
  const configFile = resolve(cwd, options.configFile ?? `node-config/${slugify(options.name)}.json`)
  if (existsSync(configFile)) throw new LifelongError('conflict', 'CONFIG_EXISTS', `${configFile} already exists`)
  const configDir = dirname(configFile)
  const dataDir = resolve(cwd, options.dataDir)
  const json: Record<string, unknown> = {
    name: options.name,
    organisationNumber: options.organisationNumber,
    roles: options.roles,
    dataDir: relative(configDir, dataDir) || '.',
    p2p: { listen: options.listen ?? ['/ip4/0.0.0.0/tcp/4001'], ...(options.addressScope === undefined ? {} : { addressScope: options.addressScope }) },
    http: {
      host: options.httpHost ?? '127.0.0.1',
      port: options.httpPort ?? 8080,
      ...(options.publicUrl === undefined ? {} : { publicUrl: options.publicUrl })
    },
    federation: {
      id: options.federation,
      manifestFile: relative(configDir, resolve(cwd, options.manifestFile ?? resolve(dataDir, 'manifest.pb'))),
      operatorKeys: options.operatorKeys,
      ...(options.trustAnchorFile === undefined ? {} : { trustAnchorFile: relative(configDir, resolve(cwd, options.trustAnchorFile)) })
    },
    ...(options.allowSynthetic === true ? { identifiers: { allowSynthetic: true } } : {}),
    ...(options.hybrid === true ? { signatures: { mlDsaKeyFile: relative(configDir, resolve(dataDir, 'node.mldsa.key')) } } : {})
  }
  // Validate first (throws CONFIG_INVALID listing every problem), then create the key.
  const config = parseConfig(json, configDir, configFile)
  const key = createKeyFile(config.keyFile)
  const mlDsaKey = config.signatures.mlDsaKeyFile === undefined ? undefined : createPqKeyFile(config.signatures.mlDsaKeyFile)
  // A portal signs wallet credentials with a key of its own, which the manifest must list for
  // verifiers to accept them (docs/SECURITY.md): made now, so that it goes in the member entry.
  const credentialIssuerKey = config.roles.includes('portal') ? p256JwkOf(loadOrCreateP256KeyFile(join(config.dataDir, CREDENTIAL_ISSUER_KEY_FILE))) : undefined
  mkdirSync(configDir, { recursive: true })
  writeFileSync(configFile, JSON.stringify(json, null, 2) + '\n', { flag: 'wx' })
  const peerId = peerIdFromRawPublicKey(key.publicKeyRaw).toString()
  return {
    configFile,
    config,
    peerId,
    memberEntry: {
      peerId,
      organisationNumber: config.organisationNumber,
      name: config.name,
      roles: config.roles,
      multiaddrs: config.p2p.announce.length > 0 ? config.p2p.announce : config.p2p.listen,
      httpBaseUrl: config.http.publicUrl ?? `http://${config.http.host}:${config.http.port}`,
      validFrom: new Date().toISOString(),
      validTo: new Date(Date.now() + 365 * 86_400_000).toISOString(),
      ...(credentialIssuerKey === undefined ? {} : { credentialIssuerKeys: [credentialIssuerKey] }),
      ...(mlDsaKey === undefined ? {} : { mlDsaPublicKey: formatPqPublicKey(mlDsaKey.publicKeyRaw) })
    }
  }
}
