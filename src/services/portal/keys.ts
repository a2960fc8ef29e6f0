/**
 * Keys of the portal's records in its sublevel (`portal`) that are not shares' (src/services/portal/shares.ts
 * keeps `s/`, `sh/`, `so/`, `op/`; the bridges' access log `bl/`). Pure functions, so that the
 * layout is read in one place.
 */

/** A session record, by the SHA-256 of its ID (the ID itself is only in the browser's cookie). */
export const sessionKey = (idHash: string): string => `session/${idHash}`

/** Every session of one learner (for "sign out everywhere"), by a keyed hash of the learner's identifier. */
export const learnerSessionsPrefix = (learnerHash: string): string => `session-of/${learnerHash}/`

/** The entry of one session under its learner. */
export const learnerSessionKey = (learnerHash: string, idHash: string): string => `${learnerSessionsPrefix(learnerHash)}${idHash}`

/** The sign-in identity behind an index learner ID (what the bridges need to fetch the learner's results). */
export const learnerIdentityKey = (learnerId: string): string => `learner/${learnerId}`
