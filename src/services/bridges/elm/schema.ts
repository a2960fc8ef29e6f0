/**
 * Validation against the published EDC JSON Schema 2.1.0 for ELM 3.2 credentials (JSON Schema
 * 2020-12; a copy with its refs resolved, vendored beside this file under its EUPL-1.2 licence).
 * Every credential this node produces is checked before it is sealed; `lifelong verify` checks
 * received ones the same way.
 */
import { readFileSync } from 'node:fs'
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js'
import addFormatsPlugin from 'ajv-formats'
import type { FieldError } from '../../../core/errors.ts'

const addFormats = addFormatsPlugin as unknown as (ajv: Ajv2020) => Ajv2020

export type ElmSchemaValidator = (credential: unknown) => FieldError[]

let compiled: ValidateFunction | undefined

/**
 * The EDC schema's check. The schema is compiled on the first check and once per process (about
 * 100 ms of CPU), not per node or per call: it is constant, and Ajv's compiled function keeps no
 * state between calls but its `errors`, read right after each synchronous call.
 */
export function createElmSchemaValidator (): ElmSchemaValidator {
  return (credential) => {
    compiled ??= compile()
    if (compiled(credential)) return []
    return (compiled.errors ?? []).map((e) => ({ path: e.instancePath === '' ? '/' : e.instancePath, message: `${e.keyword}: ${e.message ?? 'invalid'}` }))
  }
}

function compile (): ValidateFunction {
  const schema = JSON.parse(readFileSync(new URL('./edc-credential-schema-2.1.0.json', import.meta.url), 'utf8')) as object
  return addFormats(new Ajv2020({ allErrors: true, strict: false })).compile(schema)
}
