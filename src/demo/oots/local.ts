/**
 * DEVELOPMENT ONLY. The OOTS listener of the local federation (`npm start`): its TLS
 * certificate and a development gateway's client certificate (made once under `<dir>/oots/`,
 * renewed when about to expire), the portal's `oots` config section that pins that gateway, and
 * `<dir>/oots/DEVELOPMENT-gateway.json`, which the simulated gateway (dev/gateway.ts) reads. No
 * real national access point holds these credentials; a production portal pins its own.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { X509Certificate } from 'node:crypto'
import { join } from 'node:path'
import { createTlsCertificate, writeTlsFiles, type TlsCertificateRequest } from '../../services/bridges/oots/certificates.ts'

/** What the simulated gateway needs: where to call, with what, for whom. */
export interface DevelopmentGatewayFile {
  development: string
  url: string
  listenerCertificateFile: string
  certificateFile: string
  keyFile: string
  /** The requester the gateway vouches for (OOTS-Requester-* headers). */
  requester: { id: string, name: string, country: string }
  /** The sample learner the sample request is about. */
  person: { familyName: string, givenName: string, dateOfBirth: string }
}

export interface LocalOots {
  /** Config overrides of the portal node (its `oots` section). */
  portalConfig: Record<string, unknown>
  url: string
  gatewayFile: string
}

async function ensure (certificateFile: string, keyFile: string, req: TlsCertificateRequest): Promise<void> {
  if (existsSync(certificateFile) && existsSync(keyFile)) {
    const cert = new X509Certificate(readFileSync(certificateFile))
    if (new Date(cert.validTo).getTime() > Date.now() + 86_400_000) return
  }
  writeTlsFiles(certificateFile, keyFile, await createTlsCertificate({ validDays: 365, ...req }))
}

/** Creates (or keeps) the credentials and writes the development gateway's file. */
export async function prepareLocalOots (dir: string, listen: { host: string, port: number }, person: DevelopmentGatewayFile['person']): Promise<LocalOots> {
  const d = join(dir, 'oots')
  const listenerCert = join(d, 'oots-listener.crt')
  const listenerKey = join(d, 'oots-listener.key')
  const gatewayCert = join(d, 'DEVELOPMENT-gateway.crt')
  const gatewayKey = join(d, 'DEVELOPMENT-gateway.key')
  await ensure(listenerCert, listenerKey, { commonName: 'OOTS listener (local federation)', use: 'server', hosts: ['localhost', listen.host] })
  await ensure(gatewayCert, gatewayKey, { commonName: 'Simulated national OOTS access point (DEVELOPMENT ONLY)', country: 'NO', use: 'client' })
  const url = `https://${listen.host}:${listen.port}`
  const gatewayFile = join(d, 'DEVELOPMENT-gateway.json')
  const file: DevelopmentGatewayFile = {
    development: 'DEVELOPMENT ONLY: the client certificate of a simulated national access point, pinned by the local federation\'s portal. Never pin it anywhere else.',
    url,
    listenerCertificateFile: listenerCert,
    certificateFile: gatewayCert,
    keyFile: gatewayKey,
    requester: { id: 'urn:cef.eu:names:identifier:EAS:0009:00000000000002', name: 'Ministère de l\'enseignement supérieur (development)', country: 'FR' },
    person
  }
  writeFileSync(gatewayFile, JSON.stringify(file, null, 2) + '\n')
  return {
    url,
    gatewayFile,
    portalConfig: {
      oots: {
        listen,
        tls: { certificateFile: listenerCert, keyFile: listenerKey },
        gateways: [{ id: 'dev-gateway', name: 'Simulated national OOTS access point (development)', certificateFiles: [gatewayCert] }]
      }
    }
  }
}
