/** Key helpers every module's `keys.ts` shares. Pure. */

/** The smallest key after every key that starts with `prefix` (the `lt` bound of a prefix scan). */
export const prefixEnd = (prefix: string): string => prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1)
