/**
 * Route schemas compiled once per process. Fastify compiles every route's request validator
 * (Ajv) and response serializer (fast-json-stringify) for each server it builds; every node
 * builds the same routes, so a process that runs several nodes (the local federation, a test
 * federation) compiled the same schemas again for each node, about 35 ms of CPU per node start.
 *
 * These are Fastify's own compilers (the ones it uses by default), behind one cache per process:
 * a compiled function is kept under the schema's JSON together with the server's shared schemas
 * and options, so a route of the same schema on another server gets the same function. What is
 * kept is bounded by the distinct schemas in the code. The functions keep no state between
 * calls except Ajv's `errors`, which Fastify reads right after each synchronous call. (Fastify
 * lowercases the property names of a `headers` schema only for its default compiler: a route's
 * header schema names headers in lower case.)
 */
import { AjvCompiler } from '@fastify/ajv-compiler'
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler'
import type { FastifyServerOptions } from 'fastify'

type Factories = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>
type BuildValidator = NonNullable<Factories['buildValidator']>
type BuildSerializer = NonNullable<Factories['buildSerializer']>

const buildAjvValidator = AjvCompiler() as unknown as BuildValidator
const buildFastJsonSerializer = SerializerSelector() as unknown as BuildSerializer
const validators = new Map<string, unknown>()
const serializers = new Map<string, unknown>()

function cached<F> (store: Map<string, unknown>, key: string, make: () => F): F {
  let found = store.get(key) as F | undefined
  if (found === undefined) {
    found = make()
    store.set(key, found)
  }
  return found
}

/** The `schemaController` option of every Fastify server of a node. */
export const sharedSchemaCompilers: NonNullable<FastifyServerOptions['schemaController']> = {
  compilersFactory: {
    buildValidator: ((externalSchemas: unknown, options: unknown) => {
      const compile = buildAjvValidator(externalSchemas as never, options as never) as (route: { schema: unknown }) => unknown
      const prefix = JSON.stringify([externalSchemas, options])
      return (route: { schema: unknown }) => cached(validators, `${prefix}${JSON.stringify(route.schema)}`, () => compile(route))
    }) as BuildValidator,
    buildSerializer: ((externalSchemas: unknown, options: unknown) => {
      const compile = buildFastJsonSerializer(externalSchemas as never, options as never) as (route: { schema: unknown }) => unknown
      const prefix = JSON.stringify([externalSchemas, options])
      return (route: { schema: unknown }) => cached(serializers, `${prefix}${JSON.stringify(route.schema)}`, () => compile(route))
    }) as BuildSerializer
  }
}
