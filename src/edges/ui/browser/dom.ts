/**
 * The little of the DOM the pages' modules use, typed here (the project is type-checked without
 * the DOM library, for Node): elements found by ID or selector, their text, attributes and
 * events, and the clipboard.
 */

export interface Element {
  id: string
  textContent: string | null
  innerHTML: string
  hidden: boolean
  readonly dataset: Record<string, string | undefined>
  readonly classList: { add: (c: string) => void, remove: (c: string) => void }
  readonly nextElementSibling: Element | null
  getAttribute: (name: string) => string | null
  setAttribute: (name: string, value: string) => void
  addEventListener: (type: string, listener: (event: DomEvent) => void) => void
  focus: () => void
}

export interface FileLike {
  readonly name: string
  readonly size: number
  arrayBuffer: () => Promise<ArrayBuffer>
}

export interface DomEvent {
  preventDefault: () => void
  readonly target: (Element & { files?: ArrayLike<FileLike> | null, value?: string }) | null
  readonly dataTransfer?: { files: ArrayLike<FileLike> } | null
}

interface Document {
  readonly documentElement: { lang: string }
  getElementById: (id: string) => Element | null
  querySelectorAll: (selector: string) => ArrayLike<Element>
}

interface Navigator {
  readonly clipboard?: { writeText: (text: string) => Promise<void> }
}

const g = globalThis as unknown as { document: Document, navigator: Navigator }

export const doc = (): Document => g.document
export const clipboard = (): Navigator['clipboard'] => g.navigator.clipboard

/** Escapes text for HTML (as src/edges/ui/html.ts does on the server). */
export function esc (value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\'': '&#39;' })[c] as string)
}
