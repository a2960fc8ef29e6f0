/**
 * A protobuf reader for the browser verifier: just enough of the wire format (varints and
 * length-delimited fields; fixed-width ones are skipped) to read the few messages a proof
 * carries (SignedEnvelope, FederationManifest, ResultRecord; proto/*.proto). Malformed input
 * throws; numbers above 2^53 are refused.
 */
import { fromUtf8 } from './bytes.ts'
import { CheckError } from './check-error.ts'

export interface Field {
  no: number
  varint?: number
  bytes?: Uint8Array
}

/** The fields of a message, in wire order. */
export function readFields (buf: Uint8Array): Field[] {
  const out: Field[] = []
  let at = 0
  const varint = (): number => {
    let value = 0
    let scale = 1
    for (let i = 0; i < 10; i++) {
      if (at >= buf.length) throw new CheckError('VERIFY_PROOF_MALFORMED', 'truncated varint')
      const b = buf[at++] as number
      value += (b & 0x7f) * scale
      if (value > Number.MAX_SAFE_INTEGER) throw new CheckError('VERIFY_PROOF_MALFORMED', 'varint beyond 2^53')
      if ((b & 0x80) === 0) return value
      scale *= 128
    }
    throw new CheckError('VERIFY_PROOF_MALFORMED', 'varint too long')
  }
  while (at < buf.length) {
    const key = varint()
    const no = Math.floor(key / 8)
    const wire = key % 8
    if (no === 0) throw new CheckError('VERIFY_PROOF_MALFORMED', 'field number 0')
    if (wire === 0) out.push({ no, varint: varint() })
    else if (wire === 2) {
      const len = varint()
      if (at + len > buf.length) throw new CheckError('VERIFY_PROOF_MALFORMED', 'truncated field')
      out.push({ no, bytes: buf.subarray(at, at + len) })
      at += len
    } else if (wire === 1) at += 8
    else if (wire === 5) at += 4
    else throw new CheckError('VERIFY_PROOF_MALFORMED', `unsupported wire type ${wire}`)
    if (at > buf.length) throw new CheckError('VERIFY_PROOF_MALFORMED', 'truncated field')
  }
  return out
}

/** A message's fields by number, for reading. */
export class Message {
  private readonly fields: Field[]
  constructor (buf: Uint8Array) {
    this.fields = readFields(buf)
  }

  bytes (no: number): Uint8Array {
    return [...this.fields].reverse().find((f) => f.no === no)?.bytes ?? new Uint8Array()
  }

  string (no: number): string {
    return fromUtf8(this.bytes(no))
  }

  number (no: number): number {
    return [...this.fields].reverse().find((f) => f.no === no)?.varint ?? 0
  }

  bool (no: number): boolean {
    return this.number(no) !== 0
  }

  /** Every occurrence of a repeated length-delimited field. */
  repeated (no: number): Uint8Array[] {
    return this.fields.filter((f) => f.no === no && f.bytes !== undefined).map((f) => f.bytes as Uint8Array)
  }

  message (no: number): Message {
    return new Message(this.bytes(no))
  }
}
