/**
 * Relations between offerings as a graph. Containment ("programme contains course", mandatory or
 * elective) must stay a hierarchy: a change that would close a cycle is refused. Pure.
 */
import { CONTAINMENT, type Relation } from './model.ts'

/** Children by containment of one offering (the targets of its contains-* relations). */
export function containedTargets (relations: readonly Relation[]): string[] {
  return relations.filter((r) => CONTAINMENT.includes(r.type)).map((r) => r.target)
}

/**
 * Finds a containment cycle through any of `start`, in the graph where `edges(id)` lists the
 * offerings `id` contains. Returns the cycle as a path [a, b, …, a], or undefined.
 * Iterative depth-first search with colours, so a deep catalogue cannot overflow the stack.
 */
export function findContainmentCycle (start: Iterable<string>, edges: (id: string) => readonly string[]): string[] | undefined {
  const colour = new Map<string, 1 | 2>() // 1 on the current path, 2 finished
  for (const root of start) {
    if (colour.get(root) === 2) continue
    const stack: Array<{ id: string, next: number, children: readonly string[] }> = [{ id: root, next: 0, children: edges(root) }]
    colour.set(root, 1)
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as { id: string, next: number, children: readonly string[] }
      if (top.next >= top.children.length) {
        colour.set(top.id, 2)
        stack.pop()
        continue
      }
      const child = top.children[top.next++] as string
      const c = colour.get(child)
      if (c === 1) {
        const from = stack.findIndex((f) => f.id === child)
        return [...stack.slice(from).map((f) => f.id), child]
      }
      if (c === undefined) {
        colour.set(child, 1)
        stack.push({ id: child, next: 0, children: edges(child) })
      }
    }
  }
  return undefined
}
