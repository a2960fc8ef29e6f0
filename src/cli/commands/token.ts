/**
 * `lifelong token keygen | trust | issue`: service tokens for a node's write routes without an
 * external identity provider. The key that signs them is an Ed25519 key (mode 0600); a node
 * accepts its tokens once its config lists the public key under `auth.issuers` (`token trust`
 * writes that entry, validating the whole config first). `token issue` takes the issuer and
 * audience from the node's config, so a token always fits the node it is meant for.
 */
import type { Command } from 'commander'
import { createKeyFile, readKeyFile } from '../../core/crypto/key-file.ts'
import { formatPublicKey, parsePublicKey } from '../../core/crypto/ed25519.ts'
import { mintServiceToken } from '../../core/crypto/service-token.ts'
import { loadConfig } from '../../core/config/config.ts'
import { editConfigFile } from '../../core/config/edit.ts'
import { LifelongError } from '../../core/errors.ts'
import { EDUCATION_SCOPES } from '../../edges/registry/education/routes.ts'
import { RESULTS_SCOPE } from '../../edges/registry/results/routes.ts'
import { SCOPES as LEARNER_SCOPES } from '../../edges/registry/learners/routes.ts'

const list = (value: string, previous: string[] = []): string[] => [...previous, ...value.split(/[ ,]/).map((s) => s.trim()).filter((s) => s !== '')]

/** Every scope a route of the node asks for, for the help text and to catch typos. */
export const KNOWN_SCOPES: readonly string[] = [...Object.values(EDUCATION_SCOPES), RESULTS_SCOPE, ...Object.values(LEARNER_SCOPES)]

export function registerTokenCommands (program: Command): void {
  const token = program.command('token').description('service tokens for a node\'s write routes (imports, the registry\'s institution data, the learner registry)')

  token.command('keygen')
    .description('create a token signing key (PKCS#8 PEM, mode 0600) and print its public key')
    .requiredOption('--out <file>', 'key file to create (never replaced)')
    .action((opts) => {
      const key = createKeyFile(opts.out)
      process.stdout.write(`${formatPublicKey(key.publicKeyRaw)}\n`)
    })

  token.command('trust')
    .description('let a node accept service tokens signed by a key: adds (or replaces) its auth.issuers entry in the node\'s config; restart the node to apply')
    .requiredOption('--config <file>', 'the node\'s config file')
    .requiredOption('--issuer <name>', 'the issuer name tokens carry as iss (a URL or a URN of your choosing)')
    .option('--public-key <key>', 'the key\'s public key, "ed25519:<base64>"')
    .option('--key <file>', 'or the key file itself (only its public key is written)')
    .option('--audience <aud>', 'the audience tokens must carry (default: the federation id)')
    .action((opts) => {
      const publicKey = opts.publicKey ?? (opts.key === undefined ? undefined : formatPublicKey(readKeyFile(opts.key).publicKeyRaw))
      if (publicKey === undefined) throw new LifelongError('invalid', 'CLI_KEY_REQUIRED', 'give --public-key ed25519:… (printed by lifelong token keygen) or --key <file>')
      parsePublicKey(publicKey)
      const config = editConfigFile(opts.config, (raw) => {
        const audience = opts.audience ?? raw.federation?.id
        const entry = { issuer: opts.issuer, audience, principal: 'service', publicKeys: [publicKey] }
        const issuers: Array<Record<string, unknown>> = Array.isArray(raw.auth?.issuers) ? raw.auth.issuers : []
        raw.auth = { ...(raw.auth ?? {}), issuers: [...issuers.filter((i) => i.issuer !== opts.issuer), entry] }
      })
      const entry = config.auth.issuers.find((i) => i.issuer === opts.issuer)
      process.stdout.write(`${config.configFile ?? opts.config}: trusts service tokens from ${opts.issuer} (audience ${entry?.audience ?? ''}); restart the node to apply\n`)
    })

  token.command('issue')
    .description('print a service token with the given scopes, for the node whose config trusts this key (lifelong token trust)')
    .requiredOption('--key <file>', 'the token signing key')
    .requiredOption('--config <file>', 'the config of the node the token is for (its auth.issuers entry for this key gives issuer and audience)')
    .requiredOption('--scope <scopes>', `comma-separated scopes: ${KNOWN_SCOPES.join(', ')}`, list)
    .option('--subject <name>', 'the client the token names (nodes log it as who acted)', 'lifelong-cli')
    .option('--ttl <seconds>', 'lifetime in seconds', (v) => Number.parseInt(v, 10), 3600)
    .action(async (opts) => {
      const key = readKeyFile(opts.key)
      const config = loadConfig(opts.config)
      const publicKey = formatPublicKey(key.publicKeyRaw)
      const issuer = config.auth.issuers.find((i) => i.principal === 'service' && i.publicKeys.includes(publicKey))
      if (issuer === undefined) {
        throw new LifelongError(
          'invalid',
          'CLI_TOKEN_ISSUER_NOT_TRUSTED',
          `${config.configFile ?? opts.config} trusts no service tokens signed by ${opts.key}: run lifelong token trust --config ${opts.config} --key ${opts.key} --issuer <name>, then restart the node`
        )
      }
      const unknown = (opts.scope as string[]).filter((s) => !KNOWN_SCOPES.includes(s))
      if (unknown.length > 0) throw new LifelongError('invalid', 'CLI_SCOPE_UNKNOWN', `no route asks for the scope(s) ${unknown.join(', ')}; the scopes are ${KNOWN_SCOPES.join(', ')}`)
      if (!Number.isInteger(opts.ttl) || opts.ttl < 60 || opts.ttl > 86_400 * 30) throw new LifelongError('invalid', 'CLI_TTL_INVALID', '--ttl is 60 to 2592000 seconds')
      process.stdout.write(`${await mintServiceToken(key, { issuer: issuer.issuer, audience: issuer.audience, subject: opts.subject, scopes: opts.scope, ttlSeconds: opts.ttl })}\n`)
    })
}
