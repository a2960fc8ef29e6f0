/**
 * How a module declares its error codes. Every code is `<PREFIX>_<WHAT>`, where PREFIX is its
 * module's, and is declared once, on one line, with the kind it is thrown with and what it means;
 * `ErrorCode` (index.ts) is the union of them all, so that a code tsc does not find here fails
 * the type check wherever it is written.
 */

/** What sort of failure an error is; decides the HTTP status and the wire status. */
export type ErrorKind =
  | 'invalid' // the input is malformed or breaks a rule (400)
  | 'unauthenticated' // no or bad credentials (401)
  | 'forbidden' // authenticated but not allowed (403)
  | 'not-found' // the thing asked for does not exist (404)
  | 'conflict' // the request contradicts stored state (409)
  | 'gone' // existed but expired, revoked or used up (410)
  | 'too-large' // over a size cap (413)
  | 'unsupported' // a version or type the node does not speak (415/422)
  | 'rate-limited' // over a concurrency or rate cap (429)
  | 'unavailable' // a dependency is down or the node is not ready (503)
  | 'timeout' // a deadline passed (504)
  | 'internal' // a bug or an unexpected failure (500)

/**
 * One code: the kind it is thrown with (several where the call site decides, e.g. from an HTTP
 * status it was given) and what it means, in one line for docs/ERRORS.md.
 */
export type CodeDeclaration = readonly [kind: ErrorKind | readonly ErrorKind[], meaning: string]

/** A module's codes: its prefix, where it is (for docs/ERRORS.md), and each code. */
export interface ErrorModule<P extends string = string, C extends Record<string, CodeDeclaration> = Record<string, CodeDeclaration>> {
  readonly prefix: P
  /** The module in a few words and the folders that throw its codes. */
  readonly about: string
  readonly codes: C
}

/**
 * Declares a module's codes. A code without the module's prefix is a type error at its line
 * (`Type … is not assignable to type 'never'`).
 */
export function errorModule<const P extends string, const C extends Record<string, CodeDeclaration>> (
  prefix: P,
  about: string,
  codes: C & { [K in keyof C]: K extends P | `${P}_${string}` ? CodeDeclaration : never }
): ErrorModule<P, C> {
  return { prefix, about, codes }
}

/** The codes of a module, as a union of string literals. */
export type CodesOf<M> = M extends ErrorModule<string, infer C> ? keyof C & string : never
