/**
 * How the composition root builds, starts and stops the parts of a node, in the manner of
 * libp2p's services. A part is made by a factory from the node's core (config, key, store,
 * federation, RPC) and the parts it needs, which are built before it; it gets everything at
 * construction and nothing is set on it afterwards. Its lifecycle is libp2p's `Startable`: its
 * own `start`, `afterStart` and `stop` methods, where it has them. What the HTTP edge takes of it
 * (routes, authenticators, CSRF tokens) is its definition's `edges`.
 *
 * Which parts a node has, and their order, is its roles' table in src/node.ts; the order is the
 * start order, and stop runs in the reverse. A caller may give its own factory for a part
 * (`NodeOptions.parts`): the part is then built by that factory, at the same place, and keeps the
 * definition's lifecycle and edges.
 */
import type { FastifyPluginAsync } from 'fastify'
import { LifelongError } from '../core/errors.ts'
import type { Authenticators } from '../edges/http/edge.ts'
import type { ErrorRenderers } from '../edges/http/errors.ts'
import type { CsrfTokenSource } from '../edges/http/csrf.ts'

/** A part's lifecycle (libp2p's `Startable`); every step is optional. */
export interface Startable {
  /**
   * Registers the part's RPC handlers and loads its state. Called in table order before the node
   * listens, so that the first peer to connect finds every protocol served.
   */
  start?: () => Promise<void> | void
  /** Begins work with other members (they can be reached now): called in table order once the node listens on libp2p. */
  afterStart?: () => Promise<void> | void
  /** Stops the part; called in the reverse of the table's order, within the node's bounded stop. */
  stop?: () => Promise<void> | void
}

/** What the HTTP edge (src/edges/http/) takes of a part. */
export interface PartEdges {
  readonly routes?: FastifyPluginAsync
  /** The callers this part can authenticate (src/edges/http/edge.ts). */
  readonly authenticators?: Authenticators
  /** How this part's error style is rendered, where the node's own do not cover it (src/edges/http/errors.ts). */
  readonly errorRenderers?: ErrorRenderers
  /** The CSRF token of the session a request carries, for a part that keeps sessions (src/edges/http/csrf.ts). */
  readonly csrfTokens?: CsrfTokenSource
}

/**
 * How the root builds one part of type `T` from the core `C` and the parts `P` it needs (`N`).
 * `create` may return undefined for a part that the config leaves out (EMREX without an `emrex`
 * section): such a part has no lifecycle and no edges.
 */
export interface PartDefinition<P, C, T, N extends keyof P> {
  /** The parts this one is built from: each comes before it in every table (checked when a node is created). */
  readonly needs: readonly N[]
  create(core: C, parts: Pick<P, N>): T | Promise<T>
  /** Its lifecycle, where it is not the part's own `start`/`afterStart`/`stop` (the log store closes). */
  lifecycle?(part: NonNullable<T>, core: C): Startable
  /** What the HTTP edge takes of it; `given` says whether the part came from the caller's factory rather than `create`. */
  edges?(part: NonNullable<T>, context: { core: C, parts: Pick<P, N>, given: boolean }): PartEdges | Promise<PartEdges>
}

/** A definition for every part of `P`. */
export type PartDefinitions<P, C> = { readonly [K in keyof P]: PartDefinition<P, C, P[K], keyof P> }

/** Factories that replace the definitions' `create` for some parts; each gets the core and every part built before it. */
export type PartFactories<P, C> = { readonly [K in keyof P]?: (core: C, parts: Partial<P>) => P[K] | Promise<P[K]> }

/** A part as the root runs it. */
export interface BuiltPart {
  readonly name: string
  readonly lifecycle: Startable
  readonly edges: PartEdges
}

/** Why `order` cannot be built: a part listed twice, or one that needs a part not listed before it. Empty when it can. */
export function orderProblems<P, C> (order: readonly (keyof P & string)[], definitions: PartDefinitions<P, C>): string[] {
  const problems: string[] = []
  const before = new Set<keyof P>()
  for (const name of order) {
    if (before.has(name)) problems.push(`${name} is listed twice`)
    for (const need of definitions[name].needs) {
      if (!before.has(need)) problems.push(`${name} needs ${String(need)}, which is not listed before it`)
    }
    before.add(name)
  }
  return problems
}

/** The part's own `start`/`afterStart`/`stop`, where it has them. */
function ownLifecycle (part: object): Startable {
  const p = part as Record<'start' | 'afterStart' | 'stop', unknown>
  const step = (key: 'start' | 'afterStart' | 'stop'): Startable['start'] => {
    const f = p[key]
    return typeof f === 'function'
      ? async () => {
        await (f as () => unknown).call(part)
      }
      : undefined
  }
  const start = step('start')
  const afterStart = step('afterStart')
  const stop = step('stop')
  return { ...(start === undefined ? {} : { start }), ...(afterStart === undefined ? {} : { afterStart }), ...(stop === undefined ? {} : { stop }) }
}

/**
 * Builds the parts of `order`, each from its definition (or from the caller's factory in
 * `given`), in that order. If one cannot be built, the ones already built are stopped (in the
 * reverse order) and the error is thrown.
 * @throws LifelongError NODE_PARTS_OUT_OF_ORDER when `order` lists a part before one it needs
 */
export async function buildParts<P, C> (order: readonly (keyof P & string)[], definitions: PartDefinitions<P, C>, given: PartFactories<P, C>, core: C): Promise<{ parts: Partial<P>, built: BuiltPart[] }> {
  const problems = orderProblems(order, definitions)
  if (problems.length > 0) throw new LifelongError('internal', 'NODE_PARTS_OUT_OF_ORDER', `the parts of this node cannot be built in their order: ${problems.join('; ')}`)
  const parts: Partial<P> = {}
  const built: BuiltPart[] = []
  try {
    for (const name of order) {
      const definition = definitions[name]
      const needed = Object.fromEntries(definition.needs.map((n) => [n, parts[n]])) as Pick<P, keyof P>
      const factory = given[name]
      const part = factory === undefined ? await definition.create(core, needed) : await factory(core, { ...parts })
      parts[name] = part
      if (part === undefined || part === null) continue
      built.push({
        name,
        lifecycle: definition.lifecycle?.(part, core) ?? ownLifecycle(part),
        edges: await definition.edges?.(part, { core, parts: needed, given: factory !== undefined }) ?? {}
      })
    }
  } catch (err) {
    for (const b of [...built].reverse()) await Promise.resolve(b.lifecycle.stop?.()).catch(() => {})
    throw err
  }
  return { parts, built }
}
