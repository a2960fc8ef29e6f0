/**
 * How the import commands find the node and authenticate at it, the same way for every import:
 * `--node <url>` or the URL from `--config <file>`; a service token with the command's scope from
 * `--token`, `$LIFELONG_TOKEN`, or (local federation only) one minted with `--dev-issuer <key>`.
 */
import type { Command } from 'commander'
import { loadConfig } from '../../core/config/config.ts'
import { LifelongError } from '../../core/errors.ts'
import { readKeyFile } from '../../core/crypto/key-file.ts'
import { mintDevToken } from '../../demo/dev-issuer.ts'

export interface NodeTargetOptions {
  node?: string
  /** Deprecated spelling of `node`. */
  url?: string
  config?: string
  token?: string
  devIssuer?: string
}

/** Adds the node and token options to an import command. */
export function nodeTargetOptions (command: Command, scope: string): Command {
  return command
    .option('--node <url>', 'the node\'s HTTP base URL (default: from --config)')
    .option('--url <url>', 'deprecated: the same as --node')
    .option('--config <file>', 'the node\'s config file')
    .option('--token <jwt>', `a service token with the scope ${scope} (default: $LIFELONG_TOKEN)`)
    .option('--dev-issuer <key file>', 'local federation only: mint a development token with this key (data/demo/dev-issuer.key)')
}

/** The node's base URL. @throws LifelongError IMPORT_NO_NODE */
export function nodeUrl (opts: NodeTargetOptions): string {
  let node = opts.node ?? opts.url
  if (node === undefined && opts.config !== undefined) {
    const config = loadConfig(opts.config)
    node = config.http.publicUrl ?? `http://${config.http.host.includes(':') ? `[${config.http.host}]` : config.http.host}:${config.http.port}`
  }
  if (node === undefined) throw new LifelongError('invalid', 'IMPORT_NO_NODE', 'say which node: --node <url> or --config <file>')
  return node.replace(/\/$/, '')
}

/** The service token for `scope`. @throws LifelongError IMPORT_NO_TOKEN */
export async function serviceToken (opts: NodeTargetOptions, scope: string): Promise<string> {
  const token = opts.token ?? process.env.LIFELONG_TOKEN
  if (token !== undefined && token !== '') return token
  if (opts.devIssuer !== undefined) {
    return await mintDevToken(readKeyFile(opts.devIssuer), { principal: 'service', subject: 'lifelong-cli', scopes: [scope], ttlSeconds: 600 })
  }
  throw new LifelongError(
    'invalid',
    'IMPORT_NO_TOKEN',
    `a service token with the scope ${scope} is needed: --token or $LIFELONG_TOKEN (from your identity provider, or made with lifelong token issue --key <file> --config <node config> --scope ${scope} once the node trusts the key: lifelong token trust), or --dev-issuer data/demo/dev-issuer.key in the local federation`
  )
}
