/**
 * A method is one request/response pair of an application protocol, declared once and used by
 * both sides: the protocol id it travels on, the payload type that names it inside the signed
 * envelope, its message codecs, and who may call it.
 */
import type { Role } from '../../core/federation/roles.ts'
import type { Member } from '../../core/federation/manifest.ts'

export interface Codec<T> {
  encode(value: T): Uint8Array
  decode(bytes: Uint8Array): T
}

/** The shape of a protobufjs static message class. */
interface ProtoType<T> {
  encode(message: T): { finish(): Uint8Array }
  decode(bytes: Uint8Array): T
}

/** Adapts a generated protobufjs message class to a {@link Codec}. */
export function protoCodec<T> (type: ProtoType<T>): Codec<T> {
  return {
    encode: (value) => type.encode(value).finish(),
    decode: (bytes) => type.decode(bytes)
  }
}

export interface Method<Req, Res> {
  /** The libp2p protocol id, `/lifelong/<name>/<major.minor.patch>`. */
  readonly protocol: string
  /** The payload type inside the signed envelope, e.g. `lifelong.federation.GetManifest`. */
  readonly type: string
  readonly request: Codec<Req>
  readonly response: Codec<Res>
  /** The roles allowed to call, or every member. Checked by the callee before the handler runs. */
  readonly roles: readonly Role[] | 'any-member'
  /** The request reads or writes personal data: purpose and legal basis are required. */
  readonly personalData?: boolean
  /** Served even while the callee's manifest has expired (only the manifest protocol is). */
  readonly servedWhenExpired?: boolean
}

/** What a handler knows about the request beyond its body. */
export interface RequestContext {
  /** The calling member, as the callee's manifest lists it. */
  readonly caller: Member
  /** Hex request id, for logs and access records. */
  readonly requestId: string
  readonly purpose: string
  readonly legalBasis: string
  /** When the caller signed the request (Unix ms). */
  readonly issuedAt: number
  /** Aborted when the exchange's deadline passes. */
  readonly signal: AbortSignal
}

export type Handler<Req, Res> = (request: Req, context: RequestContext) => Promise<Res>

export interface CallOptions {
  purpose?: string
  legalBasis?: string
  signal?: AbortSignal
  /** Overrides the node's default deadline for this call (ms). */
  deadlineMs?: number
}
