/**
 * A page that waits for something to happen elsewhere (an employer's request, until the
 * candidate's wallet answers): the element with `data-poll="<path>"` names a page of this origin
 * whose JSON (`Accept: application/json`) has a `state`; every 3 seconds this module asks for it,
 * and reloads the page once the state is no longer `pending`. Nothing reloads while nothing
 * changed, so a screen reader's place is kept (no timed refresh, WCAG 2.2.1).
 */
import { doc } from './dom.ts'

interface Globals {
  fetch: (url: string, init: { headers: Record<string, string>, credentials: 'same-origin' }) => Promise<{ ok: boolean, json: () => Promise<unknown> }>
  setTimeout: (f: () => void, ms: number) => unknown
  location: { reload: () => void }
}

const g = globalThis as unknown as Globals
const el = doc().querySelectorAll('[data-poll]')[0]
const path = el?.dataset.poll

async function poll (): Promise<void> {
  if (path === undefined) return
  try {
    const answer = await g.fetch(path, { headers: { accept: 'application/json' }, credentials: 'same-origin' })
    const body = answer.ok ? await answer.json() as { state?: unknown } : undefined
    if (body !== undefined && body.state !== 'pending') {
      g.location.reload()
      return
    }
  } catch {
    // The node may be briefly unreachable: ask again.
  }
  g.setTimeout(() => {
    void poll()
  }, 3000)
}

if (path !== undefined) {
  g.setTimeout(() => {
    void poll()
  }, 3000)
}
