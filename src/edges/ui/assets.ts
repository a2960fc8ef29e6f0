/**
 * What the pages load besides themselves: the site icon, and the few ES modules that give some
 * pages behaviour (src/edges/ui/browser/: copy buttons, the proof verifier). The modules are
 * TypeScript in the source tree, checked with the rest, and served to browsers with their types
 * stripped (Node's own type stripping, the same erasure that runs the node), so there is no build
 * step and what a browser runs is the reviewed source. Only files of that folder are served,
 * looked up by exact name.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import * as nodeModule from 'node:module'
import type { FastifyPluginAsync } from 'fastify'
import { LifelongError } from '../../core/errors.ts'

const BROWSER_DIR = fileURLToPath(new URL('./browser/', import.meta.url))

/** The site icon: a diploma's seal, in the portal's blue. */
export const FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#0b4f9c"/><circle cx="16" cy="13" r="7" fill="none" stroke="#fff" stroke-width="2.5"/><path d="M11 19l-2 9 7-3 7 3-2-9" fill="#fff"/></svg>'

type Strip = (code: string, options: { mode: 'strip' }) => string

/**
 * Node's type stripper. It is marked experimental as an API (not as what `node file.ts` does):
 * its one-time warning would be printed by a running node when the first page loads a module, so
 * it is taken without the warning.
 */
function stripTypes (code: string): string {
  const strip = (nodeModule as unknown as { stripTypeScriptTypes: Strip }).stripTypeScriptTypes
  const emit = process.emitWarning
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: string } | undefined)?.type
    if (type === 'ExperimentalWarning') return
    ;(emit as (...args: unknown[]) => void).call(process, warning, ...rest)
  }) as typeof process.emitWarning
  try {
    return strip(code, { mode: 'strip' })
  } finally {
    process.emitWarning = emit
  }
}

/** The browser modules by file name, stripped once on first use. */
function browserModules (): (name: string) => string | undefined {
  const names = new Set(readdirSync(BROWSER_DIR).filter((f) => /^[a-z0-9-]+\.ts$/.test(f)))
  const stripped = new Map<string, string>()
  return (name) => {
    if (!names.has(name)) return undefined
    let code = stripped.get(name)
    if (code === undefined) {
      code = stripTypes(readFileSync(join(BROWSER_DIR, name), 'utf8'))
      stripped.set(name, code)
    }
    return code
  }
}

/** The icon (`/favicon.ico`, `/favicon.svg`) and the pages' modules (`/assets/<name>.ts`). */
export function uiAssetRoutes (): FastifyPluginAsync {
  return async (app) => {
    const modules = browserModules()
    for (const path of ['/favicon.ico', '/favicon.svg']) {
      app.get(path, { config: { policy: { caller: 'public' } }, schema: { hide: true } }, async (_request, reply) => {
        return await reply.header('content-type', 'image/svg+xml').header('cache-control', 'public, max-age=86400').send(FAVICON_SVG)
      })
    }
    app.get<{ Params: { name: string } }>('/assets/:name', {
      config: { policy: { caller: 'public' } },
      schema: { hide: true, params: { type: 'object', required: ['name'], properties: { name: { type: 'string', pattern: '^[a-z0-9-]{1,64}\\.ts$' } } } }
    }, async (request, reply) => {
      const code = modules(request.params.name)
      if (code === undefined) throw new LifelongError('not-found', 'HTTP_ASSET_NOT_FOUND', 'no such asset')
      return await reply.header('content-type', 'text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(code)
    })
  }
}
