/**
 * `lifelong learners requests` and `lifelong learners decide <id> <approve|reject>`: the
 * operator's queue of changes members asked for at the national index and only the operator
 * may make (a national ID added to a known learner; docs/LEARNER-REGISTRY.md §The operator's queue).
 */
import type { Command } from 'commander'
import { loadConfig } from '../../core/config/config.ts'
import { LifelongError } from '../../core/errors.ts'
import { readKeyFile } from '../../core/crypto/key-file.ts'
import { mintDevToken } from '../../demo/dev-issuer.ts'
import { SCOPES } from '../../edges/registry/learners/routes.ts'
import { fetchChangeRequests, sendDecision, type ChangeRequestJson } from '../../services/registry/learners/operator-client.ts'

interface Target {
  node: string
  token: string
}

async function target (opts: { node?: string, config?: string, token?: string, devIssuer?: string }): Promise<Target> {
  let node = opts.node
  if (node === undefined && opts.config !== undefined) {
    const config = loadConfig(opts.config)
    node = config.http.publicUrl ?? `http://${config.http.host.includes(':') ? `[${config.http.host}]` : config.http.host}:${config.http.port}`
  }
  if (node === undefined) throw new LifelongError('invalid', 'LEARNERS_NO_NODE', 'say which index node: --node <url> or --config <file>')
  let token = opts.token ?? process.env.LIFELONG_TOKEN
  if (token === undefined && opts.devIssuer !== undefined) {
    token = await mintDevToken(readKeyFile(opts.devIssuer), { principal: 'service', subject: 'lifelong-cli', scopes: [SCOPES.approve], ttlSeconds: 600 })
  }
  if (token === undefined) throw new LifelongError('invalid', 'LEARNERS_NO_TOKEN', `a service token with the scope ${SCOPES.approve} is needed: --token, $LIFELONG_TOKEN, or --dev-issuer in the local federation`)
  return { node, token }
}

const identifier = (i: ChangeRequestJson['identifier'] | undefined): string => i === undefined ? '' : `${i.scheme ?? ''} ${i.value ?? ''}${(i.country ?? '') === '' ? '' : ` (${i.country ?? ''})`}`

/** One line per request: what the operator checks against the population register before deciding. */
function line (q: ChangeRequestJson): string {
  const what = q.replaces === undefined ? `add ${identifier(q.identifier)}` : `add ${identifier(q.identifier)} replacing ${identifier(q.replaces)}`
  return `${q.id}  ${q.status}  ${new Date(q.requestedAtMs).toISOString()}  learner ${q.learnerId}  ${what}  asked by ${q.requestedBy.name} (${q.requestedBy.organisationNumber}, ${q.requestedBy.role})${
    q.note === '' ? '' : `  note: ${q.note}`
  }`
}

function withTarget (cmd: Command): Command {
  return cmd
    .option('--node <url>', 'the index node\'s HTTP base URL (default: from --config)')
    .option('--config <file>', 'the index node\'s config file')
    .option('--token <jwt>', `a service token with the scope ${SCOPES.approve} (default: $LIFELONG_TOKEN)`)
    .option('--dev-issuer <key file>', 'local federation only: mint a development token with this key (data/demo/dev-issuer.key)')
    .option('--purpose <purpose>', 'recorded in each learner\'s access log', 'index.identity-maintenance')
    .option('--legal-basis <basis>', 'recorded in each learner\'s access log', 'gdpr-6-1-e')
}

export function registerLearnerCommands (program: Command): void {
  const learners = program.command('learners').description('the national index\'s operator: changes members asked for')
  withTarget(learners.command('requests'))
    .description('list change requests (pending by default), oldest first')
    .option('--status <status>', 'pending, approved or rejected', 'pending')
    .option('--json', 'print JSON')
    .action(async (opts) => {
      const t = await target(opts)
      const requests = await fetchChangeRequests(t.node, t.token, { status: opts.status, purpose: opts.purpose, legalBasis: opts.legalBasis })
      if (opts.json === true) process.stdout.write(JSON.stringify(requests, null, 2) + '\n')
      else process.stdout.write(requests.length === 0 ? `no ${opts.status as string} change requests\n` : requests.map(line).join('\n') + '\n')
    })
  withTarget(learners.command('decide <id> <decision>'))
    .description('approve or reject a change request (decision: approve or reject); approved, the change is made now')
    .option('--note <text>', 'why, for the record (no personal data)', '')
    .action(async (id: string, decision: string, opts) => {
      if (decision !== 'approve' && decision !== 'reject') throw new LifelongError('invalid', 'LEARNERS_DECISION_INVALID', 'the decision is approve or reject')
      const t = await target(opts)
      const decided = await sendDecision(t.node, t.token, id, decision, opts.note, { purpose: opts.purpose, legalBasis: opts.legalBasis })
      process.stdout.write(line(decided) + '\n')
    })
}
