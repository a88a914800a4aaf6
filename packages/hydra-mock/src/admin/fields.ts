import { undecodableBody } from '../errors.js'

/** A JSON object body, or a 400 ("Unable to decode body because: …"). */
export function asObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw undecodableBody('the body must be a JSON object')
  }
  return body as Record<string, unknown>
}

/** Reads an optional string field. */
export function optString(o: Record<string, unknown>, name: string): string | undefined {
  const v = o[name]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'string') throw undecodableBody(`field '${name}' must be a string`)
  return v
}

/** Reads an optional boolean field. */
export function optBool(o: Record<string, unknown>, name: string): boolean | undefined {
  const v = o[name]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'boolean') throw undecodableBody(`field '${name}' must be a boolean`)
  return v
}

/** Reads an optional integer field within [min, max]. */
export function optInt(
  o: Record<string, unknown>,
  name: string,
  min: number,
  max: number,
): number | undefined {
  const v = o[name]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw undecodableBody(`field '${name}' must be an integer from ${min} to ${max}`)
  }
  return v
}

/** Reads an optional array-of-strings field. */
export function optStrings(o: Record<string, unknown>, name: string): string[] | undefined {
  const v = o[name]
  if (v === undefined || v === null) return undefined
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) {
    throw undecodableBody(`field '${name}' must be an array of strings`)
  }
  return [...v]
}

/** Reads an optional JSON object field. */
export function optRecord(o: Record<string, unknown>, name: string): Record<string, unknown> | undefined {
  const v = o[name]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'object' || Array.isArray(v))
    throw undecodableBody(`field '${name}' must be a JSON object`)
  return structuredClone(v as Record<string, unknown>)
}
