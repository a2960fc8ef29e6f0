/**
 * DEVELOPMENT ONLY. EMREX in the local federation: a signing certificate for the portal and one
 * for the simulated foreign node (created once under `<dir>/emrex/`, renewed when expired), the
 * foreign node started, and the portal's `emrex` config section that trusts it (and that it
 * trusts). The portal itself runs EMREX on its real sign-in and verified results.
 */
import { existsSync, readFileSync } from 'node:fs'
import { X509Certificate } from 'node:crypto'
import { join } from 'node:path'
import type { Logger } from '../../core/observability/logger.ts'
import { createSelfSignedCertificate, writeCertificateFiles } from '../../services/bridges/emrex/certificate.ts'
import { startForeignEmrexNode, type ForeignEmrexNode } from './foreign.ts'

export interface LocalEmrexSpec {
  /** The foreign node's name, e.g. "Uppsala universitet (Ladok), development". */
  name: string
  /** ISO 3166-1 alpha-2. */
  country: string
}

export interface LocalEmrex {
  /** Config overrides of the portal node (its `emrex` section). */
  portalConfig: Record<string, unknown>
  foreign: ForeignEmrexNode
}

async function ensureCertificate (certificateFile: string, keyFile: string, commonName: string, organisation: string, country: string): Promise<void> {
  if (existsSync(certificateFile) && existsSync(keyFile)) {
    const cert = new X509Certificate(readFileSync(certificateFile))
    if (new Date(cert.validTo).getTime() > Date.now() + 86_400_000) return
  }
  writeCertificateFiles(certificateFile, keyFile, await createSelfSignedCertificate({ commonName, organisation, country, validDays: 365 }))
}

/**
 * Creates the certificates, starts the foreign node (on `port`, 0 picks a free one), and
 * returns the portal's EMREX config.
 */
export async function startLocalEmrex (dir: string, portal: { name: string, url: string }, spec: LocalEmrexSpec, logger: Logger, port = 0): Promise<LocalEmrex> {
  const certs = join(dir, 'emrex')
  const portalCert = join(certs, 'portal-emrex.crt')
  const portalKey = join(certs, 'portal-emrex.key')
  const foreignCert = join(certs, 'foreign-emrex.crt')
  const foreignKey = join(certs, 'foreign-emrex.key')
  await ensureCertificate(portalCert, portalKey, `${portal.name} EMREX (local federation)`, portal.name, 'NO')
  await ensureCertificate(foreignCert, foreignKey, `${spec.name} EMREX`, spec.name, spec.country)
  const foreign = await startForeignEmrexNode({
    name: spec.name,
    country: spec.country,
    dataDir: join(dir, 'emrex-foreign'),
    certificateFile: foreignCert,
    keyFile: foreignKey,
    clients: [{ name: portal.name, country: 'NO', returnUrls: [`${portal.url}/emrex/import/return`] }],
    providers: [{ id: 'no-portal', name: `${portal.name} (Norway)`, country: 'NO', url: `${portal.url}/emrex`, certificateFiles: [portalCert] }],
    port,
    logger
  })
  return {
    foreign,
    portalConfig: {
      emrex: {
        certificateFile: portalCert,
        keyFile: portalKey,
        allowLoopbackHttp: true,
        clients: [{ name: spec.name, country: spec.country, returnUrls: [`${foreign.url}/emrex/import/return`] }],
        providers: [{ id: 'foreign-demo', name: spec.name, country: spec.country, url: `${foreign.url}/emrex`, certificateFiles: [foreignCert] }]
      }
    }
  }
}
