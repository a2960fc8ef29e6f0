/** Keys of the replay sublevel. Pure. */

export const HORIZON_PREFIX = 'h/'

/** A sender's replay horizon; the value is a time in ms (8 bytes, big-endian). */
export const horizonKey = (sender: string): string => `${HORIZON_PREFIX}${sender}`

export const senderOfHorizonKey = (key: string): string => key.slice(HORIZON_PREFIX.length)

/** Prefixes of the layout that kept every (sender, nonce) pair (`n/<sender>/<nonce>`) and its expiry index (`e/…`). */
export const LEGACY_PREFIXES = ['n/', 'e/'] as const
