/** Keys of the replay sublevel. Pure. */

const pad = (ms: number): string => String(Math.max(0, Math.floor(ms))).padStart(15, '0')

/** Marks a (sender, nonce) pair as seen; the value is its expiry time. */
export const nonceKey = (sender: string, nonceHex: string): string => `n/${sender}/${nonceHex}`

/** The same pair indexed by expiry, so that pruning is one range scan. */
export const nonceExpiryKey = (expiresAt: number, sender: string, nonceHex: string): string => `e/${pad(expiresAt)}/${sender}/${nonceHex}`

/** The upper bound of expiry keys up to (excluding) `before`. */
export const nonceExpiryUpperBound = (before: number): string => `e/${pad(before)}`
export const NONCE_EXPIRY_LOWER_BOUND = 'e/'
