/**
 * Helpers for the EMREX tests: the independent tools that check what the bridge produces
 * (xmllint against the ELMO 1.7.0 XSD, xmlsec1 for signatures, pdftotext for the PDF transcript;
 * Debian packages libxml2-utils, xmlsec1 and poppler-utils that `.ci/run` installs), test
 * certificates, and learners with many results.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSelfSignedCertificate, loadSigningCredentials, parseCertificate, writeCertificateFiles, type SigningCredentials, type TrustedCertificate } from '../../src/services/bridges/emrex/certificate.ts'
import type { LearnerResults, ResultFacts } from '../../src/core/bridges/model.ts'
import { sampleLearnerResults, UIO } from '../fixtures/bridges/sample.ts'

export const ELMO_XSD = new URL('../fixtures/bridges/emrex/elmo-1.7.0/elmo-v1.7.0.xsd', import.meta.url).pathname
export const ELMO_OFFICIAL_EXAMPLE = new URL('../fixtures/bridges/emrex/elmo-1.7.0/example-official.xml', import.meta.url).pathname

function scratch (): { dir: string, done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'lifelong-emrex-'))
  return {
    dir,
    done: () => {
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

/** Validates XML against the ELMO 1.7.0 schema with xmllint; returns xmllint's verdict. */
export function xsdValidate (xml: string): { valid: boolean, output: string } {
  const s = scratch()
  try {
    const file = join(s.dir, 'elmo.xml')
    writeFileSync(file, xml)
    const r = spawnSync('xmllint', ['--noout', '--nonet', '--schema', ELMO_XSD, file], { encoding: 'utf8' })
    return { valid: r.status === 0, output: `${r.stdout}${r.stderr}` }
  } finally {
    s.done()
  }
}

/** Verifies an enveloped signature with xmlsec1 and the given certificate only (KeyInfo not trusted). */
export function xmlsecVerify (xml: string, certificatePem: string): { valid: boolean, output: string } {
  const s = scratch()
  try {
    writeFileSync(join(s.dir, 'doc.xml'), xml)
    writeFileSync(join(s.dir, 'cert.pem'), certificatePem)
    const r = spawnSync('xmlsec1', ['--verify', '--pubkey-cert-pem', join(s.dir, 'cert.pem'), '--enabled-reference-uris', 'empty', '--enabled-key-data', 'rsa', join(s.dir, 'doc.xml')], { encoding: 'utf8' })
    return { valid: r.status === 0, output: `${r.stdout}${r.stderr}` }
  } finally {
    s.done()
  }
}

/** Signs a document that holds a signature template with xmlsec1 (an independent signer). */
export function xmlsecSign (templateXml: string, keyPem: string, certificatePem: string): string {
  const s = scratch()
  try {
    writeFileSync(join(s.dir, 'doc.xml'), templateXml)
    writeFileSync(join(s.dir, 'key.pem'), keyPem)
    writeFileSync(join(s.dir, 'cert.pem'), certificatePem)
    return execFileSync('xmlsec1', ['--sign', '--privkey-pem', `${join(s.dir, 'key.pem')},${join(s.dir, 'cert.pem')}`, join(s.dir, 'doc.xml')], { encoding: 'utf8' })
  } finally {
    s.done()
  }
}

/** The text of a PDF, as poppler's pdftotext reads it. */
export function pdfText (pdf: Uint8Array): string {
  const s = scratch()
  try {
    writeFileSync(join(s.dir, 'doc.pdf'), pdf)
    return execFileSync('pdftotext', ['-layout', join(s.dir, 'doc.pdf'), '-'], { encoding: 'utf8' })
  } finally {
    s.done()
  }
}

export interface TestCredentials {
  credentials: SigningCredentials
  trusted: TrustedCertificate
  certificatePem: string
  privateKeyPem: string
}

/** A fresh RSA-2048 key and self-signed certificate (2048 bits keeps tests fast). */
export async function testCredentials (commonName = 'EMREX test provider', country = 'NO', validDays = 30, now?: Date): Promise<TestCredentials> {
  const pems = await createSelfSignedCertificate({ commonName, country, modulusLength: 2048, validDays, ...(now === undefined ? {} : { now }) })
  const s = scratch()
  try {
    writeCertificateFiles(join(s.dir, 'cert.pem'), join(s.dir, 'key.pem'), pems)
    const credentials = loadSigningCredentials(join(s.dir, 'cert.pem'), join(s.dir, 'key.pem'))
    return { credentials, trusted: parseCertificate(pems.certificatePem), ...pems }
  } finally {
    s.done()
  }
}

/** The sample learner with `n` course results at UiO (the benchmark's and the size tests' learner). */
export function learnerWithCourses (n: number): LearnerResults {
  const template = (sampleLearnerResults.results[0]?.parts?.[0]) as ResultFacts
  const results: ResultFacts[] = []
  for (let i = 0; i < n; i++) {
    const year = 2015 + Math.floor(i / 20)
    results.push({
      ...template,
      id: `uio-r-${String(100000 + i)}`,
      localCode: `INF${String(1000 + i)}`,
      offeringId: `O${String(500000 + i)}`,
      title: { nb: `Emne ${i}: programmering og æøå`, en: `Course ${i}: programming` },
      term: `${year}${i % 2 === 0 ? 'H' : 'V'}`,
      achievedOn: `${year}-${i % 2 === 0 ? '12' : '06'}-1${i % 9}`,
      grades: [{ scale: 'A-F', value: 'ABCDE'[i % 5] as string, component: 'final', passed: true }],
      credits: { value: i % 3 === 0 ? 7.5 : 10, scheme: 'ECTS' },
      issuer: UIO
    })
  }
  return { ...sampleLearnerResults, results }
}
