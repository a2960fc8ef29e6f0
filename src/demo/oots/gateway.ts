/**
 * DEVELOPMENT ONLY. A simulated national access point for the local federation: sends the
 * sample evidence request to the OOTS listener with the development gateway's client
 * certificate and the requester it vouches for, and shows the answer (the preview location, or
 * the evidence, saved as files).
 *
 *   npx node src/demo/oots/gateway.ts [--dir data/demo]                 first request
 *   npx node src/demo/oots/gateway.ts [--dir data/demo] --preview <url>  follow-up, after approving
 */
import { request } from 'node:https'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { DEFAULT_EVIDENCE_TYPES } from '../../services/bridges/oots/provider.ts'
import { sampleEvidenceRequest } from './sample-request.ts'
import type { DevelopmentGatewayFile } from './local.ts'

export interface GatewayCall {
  status: number
  outcome: string
  contentType: string
  body: Buffer
}

/** Posts the sample request (a follow-up when `preview` is given) as the development gateway. */
export async function callAsDevelopmentGateway (gatewayFile: string, preview?: string): Promise<GatewayCall> {
  const g = JSON.parse(readFileSync(gatewayFile, 'utf8')) as DevelopmentGatewayFile
  const type = DEFAULT_EVIDENCE_TYPES[0]!
  const xml = sampleEvidenceRequest({ person: g.person, requester: g.requester, evidenceClassification: type.classification, evidenceTitle: type.title, ...(preview === undefined ? {} : { previewLocation: preview }) })
  const url = new URL('/oots/query', g.url)
  return await new Promise<GatewayCall>((resolve, reject) => {
    const req = request({
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      method: 'POST',
      ca: readFileSync(g.listenerCertificateFile),
      cert: readFileSync(g.certificateFile),
      key: readFileSync(g.keyFile),
      headers: {
        'content-type': 'application/x-ebrs+xml',
        'oots-requester-id': g.requester.id,
        'oots-requester-name': encodeURIComponent(g.requester.name),
        'oots-requester-country': g.requester.country
      }
    }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('error', reject)
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, outcome: String(res.headers['x-edm-outcome'] ?? ''), contentType: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks) })
      })
    })
    req.on('error', reject)
    req.end(xml)
  })
}

/** Splits a multipart/related answer into its parts (RFC 2387). */
export function multipartParts (contentType: string, body: Buffer): Array<{ contentType: string, body: Buffer }> {
  const boundary = /boundary="([^"]+)"/.exec(contentType)?.[1]
  if (boundary === undefined) return []
  return body.toString('latin1').split(`--${boundary}`).slice(1, -1).map((chunk) => {
    const c = chunk.replace(/^\r\n/, '').replace(/\r\n$/, '')
    const split = c.indexOf('\r\n\r\n')
    return { contentType: /Content-Type: ([^\r\n;]+)/i.exec(c.slice(0, split))?.[1] ?? '', body: Buffer.from(c.slice(split + 4), 'latin1') }
  })
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { dir: { type: 'string', default: 'data/demo' }, preview: { type: 'string' } } })
  const dir = join(values.dir, 'oots')
  const answer = await callAsDevelopmentGateway(join(dir, 'DEVELOPMENT-gateway.json'), values.preview)
  process.stdout.write(`HTTP ${answer.status}, EDM outcome ${answer.outcome}\n`)
  if (answer.outcome === 'evidence') {
    const out = join(dir, `evidence-${new Date().toISOString().replace(/[:.]/g, '-')}`)
    mkdirSync(out, { recursive: true })
    multipartParts(answer.contentType, answer.body).forEach((p, i) => {
      const file = join(out, `${i}${p.contentType === 'application/pdf' ? '.pdf' : p.contentType === 'application/vc+jwt' ? '.vc.jwt' : '.xml'}`)
      writeFileSync(file, p.body)
      process.stdout.write(`  ${p.contentType.padEnd(26)} ${file}\n`)
    })
  } else {
    const location = /<rim:Value>(https?:[^<]+\/oots\/preview\/[^<]+)<\/rim:Value>/.exec(answer.body.toString())?.[1]
    if (location !== undefined) process.stdout.write(`Preview location (sign in at the portal as the learner, approve or refuse):\n  ${location}\nThen: npx node src/demo/oots/gateway.ts --dir ${values.dir} --preview ${location}\n`)
    else process.stdout.write(`${answer.body.toString()}\n`)
  }
}
