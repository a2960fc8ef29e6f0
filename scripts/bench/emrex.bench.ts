/**
 * ELMO generation and signing for a learner with 300 course results (issue 7), against signing
 * the same bytes with Node's crypto alone (RSA-SHA256 over the whole document, no XML work).
 * Also: the full provider path (with the PDF transcript, gzip and Base64) and the client's
 * verification of the same document (unpack, parse, verify against the registry certificate,
 * read), against a bare RSA-SHA256 verification of the same bytes.
 */
import { sign, verify } from 'node:crypto'
import { loadavg } from 'node:os'
import { createSelfSignedCertificate, parseCertificate, loadSigningCredentials, writeCertificateFiles } from '../../src/services/bridges/emrex/certificate.ts'
import { buildElmo } from '../../src/services/bridges/emrex/export.ts'
import { checkElmo } from '../../src/services/bridges/emrex/check.ts'
import { DEFAULT_IMPORT_LIMITS } from '../../src/services/bridges/emrex/import.ts'
import { packElmo } from '../../src/services/bridges/emrex/packing.ts'
import { packedSignedElmo, signedElmo } from '../../src/services/bridges/emrex/signed-export.ts'
import { signElmo } from '../../src/services/bridges/emrex/signature.ts'
import { parseElmoXml } from '../../src/services/bridges/emrex/xml.ts'
import { ExclusiveCanonicalization } from 'xml-crypto'
import { learnerWithCourses } from '../../test/helpers/emrex.ts'
import { fmt, timeEach, type Benchmark } from './harness.ts'

const bench: Benchmark = {
  name: 'emrex',
  title: 'ELMO generation and signing (issue 7)',
  goal: 'report documents/s and ms per document for a learner with 300 course results, against signing the same bytes with Node\'s crypto alone.',
  async run ({ quick, tmp, log }) {
    const n = quick ? 12 : 150
    // The XML-parsing paths take a second each: fewer runs in quick mode.
    const heavy = quick ? 2 : 20
    const pems = await createSelfSignedCertificate({ commonName: 'bench', country: 'NO', modulusLength: 3072 })
    writeCertificateFiles(`${tmp}/c.crt`, `${tmp}/c.key`, pems)
    const credentials = loadSigningCredentials(`${tmp}/c.crt`, `${tmp}/c.key`)
    const trusted = [parseCertificate(pems.certificatePem)]
    const view = learnerWithCourses(300)

    const signedXml = (await signedElmo(view, credentials)).xml
    const bytes = Buffer.from(signedXml, 'utf8')
    log(`document: ${fmt(bytes.length / 1024, 0)} KiB signed XML for 300 course results; RSA 3072`)

    const signOnly = await timeEach(n, () => sign('sha256', bytes, credentials.privateKey), 3)
    const cpuBefore = process.cpuUsage()
    const generateAndSign = await timeEach(n, async () => await signedElmo(view, credentials), 3)
    const cpu = process.cpuUsage(cpuBefore)
    const cpuMsPerDocument = (cpu.user + cpu.system) / 1000 / (n + 3)
    const generate = await timeEach(n, () => buildElmo(view), 3)
    const full = await timeEach(n, async () => await packedSignedElmo(view, credentials, { transcriptIssuer: 'Vitnemålsportalen' }), 3)
    const unsigned = buildElmo(view)
    const general = await timeEach(heavy, () => signElmo(unsigned, credentials), 1)
    const signature = sign('sha256', bytes, credentials.privateKey)
    const verifyOnly = await timeEach(n, () => verify('sha256', bytes, credentials.certificate.publicKey, signature), 3)
    const packed = packElmo(signedXml)
    const request = { field: packed, certificates: trusted.map((t) => t.pem), now: Date.now(), unpack: { maxEncodedChars: 1e8, maxXmlBytes: 16 * 1024 * 1024 }, limits: DEFAULT_IMPORT_LIMITS }
    const cpuCheckBefore = process.threadCpuUsage()
    const clientCheck = await timeEach(n, () => checkElmo(request), 3)
    const cpuCheck = process.threadCpuUsage(cpuCheckBefore)
    const cpuMsPerCheck = (cpuCheck.user + cpuCheck.system) / 1000 / (n + 3)
    // The parts that bound the check (issue 18), each on its own, in thread CPU time.
    const cpuMs = async (fn: () => unknown): Promise<number> => {
      const before = process.threadCpuUsage()
      await timeEach(n, fn, 3)
      const used = process.threadCpuUsage(before)
      return (used.user + used.system) / 1000 / (n + 3)
    }
    const parseMs = await cpuMs(() => parseElmoXml(signedXml, DEFAULT_IMPORT_LIMITS))
    const parsed = parseElmoXml(signedXml, DEFAULT_IMPORT_LIMITS)
    const c14nMs = await cpuMs(() => new ExclusiveCanonicalization().process(parsed.documentElement, {}))

    const ms = (t: { p50: number, p99: number }): string => `p50 ${fmt(t.p50, 1)} ms, p99 ${fmt(t.p99, 1)} ms`
    return {
      rows: [
        {
          name: 'ELMO generation + signing, 300 courses',
          value: generateAndSign.perSecond,
          unit: 'documents/s',
          baseline: { name: 'RSA-SHA256 signature of the same bytes (node:crypto)', value: signOnly.perSecond },
          note: `${ms(generateAndSign)} per document; baseline ${ms(signOnly)}`
        },
        { name: 'ELMO generation + signing, ms per document', value: generateAndSign.p50, unit: 'ms', baseline: { name: 'node:crypto signature', value: signOnly.p50 }, note: 'p50' },
        { name: 'ELMO generation + signing, CPU time per document', value: cpuMsPerDocument, unit: 'ms', note: 'process CPU time (user + system), less sensitive to other load on the machine than wall time' },
        { name: 'ELMO generation alone (no signature)', value: generate.p50, unit: 'ms', note: ms(generate) },
        { name: 'provider path: + PDF transcript, gzip, Base64', value: full.p50, unit: 'ms', baseline: { name: 'node:crypto signature', value: signOnly.p50 }, note: ms(full) },
        {
          name: 'signing alone with the general signer (xml-crypto: parse, c14n, serialise)',
          value: general.p50,
          unit: 'ms',
          baseline: { name: 'node:crypto signature', value: signOnly.p50 },
          note: `${ms(general)}; the provider signs canonical output directly instead`
        },
        {
          name: 'client check: unpack, parse, verify with registry certificate, read',
          value: clientCheck.p50,
          unit: 'ms',
          baseline: { name: 'RSA-SHA256 verification of the same bytes (node:crypto)', value: verifyOnly.p50 },
          note: `${ms(clientCheck)}, thread CPU ${fmt(cpuMsPerCheck, 1)} ms per check; goal ≤ 20 ms (issue 18)`
        },
        {
          name: 'client check, thread CPU per check',
          value: cpuMsPerCheck,
          unit: 'ms',
          baseline: { name: 'parsing alone (pre-scan + @xmldom/xmldom), thread CPU', value: parseMs },
          note: `Exclusive C14N of the whole parsed document alone (xml-crypto): ${fmt(c14nMs, 1)} ms; parsing alone is ${fmt(parseMs / 20 * 100, 0)}% of the 20 ms goal`
        }
      ],
      notes: [
        `Load average when the run started: ${loadavg().map((l) => fmt(l, 1)).join(', ')} on this machine's cores; wall-clock figures rise with other load, the CPU-time row much less.`,
        `The signed document is ${
          fmt(bytes.length / 1024, 0)
        } KiB (300 course results, one report), RSA 3072. The provider's writer emits Exclusive C14N directly, so signing is one SHA-256 of the document, one canonical SignedInfo and one RSA operation; the baseline is one RSA-SHA256 signature over the same bytes with node:crypto. The general signer (xml-crypto) is what the provider would cost if it re-parsed and canonicalised its own output. The client side parses a received document once (the shared untrusted-XML parser with the ELMO limits), checks the signature's shape, verifies the signature value over the canonical SignedInfo, canonicalises the document once with xml-crypto's canonicaliser for the digest, and reads the verified tree (src/services/bridges/emrex/signature.ts); the whole check runs on a worker thread in a node (this row is the check itself, on the calling thread).`,
        'Where the client check\'s CPU goes (`node --cpu-prof`, 40 checks of this document, 2026-12-07, load 18): parsing 38% (xmldom\'s SAX reader and tree building 28%, xmldom\'s `normalize` after parsing 6%, the limits pre-scan 3%), the signature check 26% (Exclusive C14N of the document 19%), reading the verified tree 12%, garbage collection 10%. The document is parsed once and canonicalised once; parsing with @xmldom/xmldom alone (last row) is above the 20 ms goal, so the goal is bound by xmldom. Measured on the same document: a namespace-aware SAX parser without a tree (saxes 6) 4.4 ms of CPU, libxml2 (`xmllint --timing`) 3 ms to parse and 2 ms to canonicalise. What would lift it: a check that canonicalises and digests while a SAX parser reads (the Signature element held aside, SignedInfo canonicalised from the same events) and reads the ELMO fields from the same events, keeping xmlsec1 as the independent check in the tests; or a native parser.'
      ]
    }
  }
}

export default bench
