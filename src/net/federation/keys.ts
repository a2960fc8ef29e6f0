/** Keys of the federation sublevel. Pure. */

/** The manifest in force (SignedEnvelope bytes). */
export const currentManifestKey = (): string => 'manifest/current'

/** Every manifest ever adopted, by serial, zero-padded so that keys sort by serial. */
export const manifestHistoryKey = (serial: number): string => `manifest/history/${String(serial).padStart(16, '0')}`
