/**
 * Structured logs (pino), one logger per node with a child per component. Log lines carry
 * peer IDs, organisation numbers, request ids and codes; never a personal identifier. Values
 * that could hold one are redacted by path as a second fence.
 */
import { pino, type Logger, type DestinationStream } from 'pino'

export type { Logger }

export interface LoggerInit {
  /** The node's name, on every line. */
  node: string
  level: string
  destination?: DestinationStream
}

/** Paths that must never reach a log line even if a caller passes them by mistake. */
const REDACT = ['nationalId', '*.nationalId', 'fnr', '*.fnr', 'birthDate', '*.birthDate', 'privateKey', '*.privateKey', 'accessCode', '*.accessCode', 'authorization', '*.authorization', 'req.headers.authorization']

export function createLogger (init: LoggerInit): Logger {
  return pino({
    level: init.level,
    base: { node: init.node },
    redact: { paths: REDACT, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime
  }, init.destination ?? pino.destination({ sync: false }))
}

/** A logger that writes nothing, for tests and tools. */
export function silentLogger (): Logger {
  return pino({ level: 'silent' })
}
