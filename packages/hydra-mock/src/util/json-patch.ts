/** A JSON Patch (RFC 6902) that cannot be applied. */
export class JsonPatchError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'JsonPatchError'
  }
}

type Json = unknown
type Container = Record<string, Json> | Json[]

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype'])

function parsePointer(pointer: unknown): string[] {
  if (typeof pointer !== 'string') throw new JsonPatchError('path must be a string')
  if (pointer === '') return []
  if (!pointer.startsWith('/')) throw new JsonPatchError(`path "${pointer}" must start with "/"`)
  return pointer
    .slice(1)
    .split('/')
    .map((t) => {
      const token = t.replace(/~1/g, '/').replace(/~0/g, '~')
      if (FORBIDDEN.has(token)) throw new JsonPatchError(`path segment "${token}" is not allowed`)
      return token
    })
}

function isContainer(v: Json): v is Container {
  return typeof v === 'object' && v !== null
}

function arrayIndex(arr: Json[], token: string, allowEnd: boolean): number {
  if (allowEnd && token === '-') return arr.length
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw new JsonPatchError(`"${token}" is not an array index`)
  const i = Number(token)
  if (i > arr.length || (!allowEnd && i === arr.length))
    throw new JsonPatchError(`array index ${i} is out of range`)
  return i
}

function parentOf(doc: Json, tokens: string[]): { parent: Container; key: string } {
  let cur: Json = doc
  for (const t of tokens.slice(0, -1)) {
    if (!isContainer(cur)) throw new JsonPatchError('path does not exist')
    if (Array.isArray(cur)) cur = cur[arrayIndex(cur, t, false)]
    else if (Object.hasOwn(cur, t)) cur = cur[t]
    else throw new JsonPatchError('path does not exist')
  }
  if (!isContainer(cur)) throw new JsonPatchError('path does not exist')
  return { parent: cur, key: tokens[tokens.length - 1]! }
}

function get(doc: Json, tokens: string[]): Json {
  if (tokens.length === 0) return doc
  const { parent, key } = parentOf(doc, tokens)
  if (Array.isArray(parent)) return parent[arrayIndex(parent, key, false)]
  if (!Object.hasOwn(parent, key)) throw new JsonPatchError('path does not exist')
  return parent[key]
}

function add(doc: Json, tokens: string[], value: Json): Json {
  if (tokens.length === 0) return value
  const { parent, key } = parentOf(doc, tokens)
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, true), 0, value)
  else parent[key] = value
  return doc
}

function remove(doc: Json, tokens: string[]): Json {
  if (tokens.length === 0) throw new JsonPatchError('the whole document cannot be removed')
  const { parent, key } = parentOf(doc, tokens)
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, false), 1)
  else if (Object.hasOwn(parent, key)) delete parent[key]
  else throw new JsonPatchError('path does not exist')
  return doc
}

/**
 * Applies a JSON Patch (RFC 6902: add, remove, replace, move, copy, test) to a copy of `document`.
 * Throws {@link JsonPatchError} for a malformed patch, a missing path or a failed `test`.
 */
export function applyJsonPatch(document: Json, patch: unknown): Json {
  if (!Array.isArray(patch)) throw new JsonPatchError('the patch must be a JSON array of operations')
  let doc: Json = structuredClone(document)
  patch.forEach((op: unknown, i) => {
    if (!isContainer(op) || Array.isArray(op)) throw new JsonPatchError(`operation ${i} must be an object`)
    const path = parsePointer(op.path)
    const hasValue = Object.hasOwn(op, 'value')
    switch (op.op) {
      case 'add':
        if (!hasValue) throw new JsonPatchError(`operation ${i} (add) needs a value`)
        doc = add(doc, path, structuredClone(op.value))
        break
      case 'remove':
        doc = remove(doc, path)
        break
      case 'replace':
        if (!hasValue) throw new JsonPatchError(`operation ${i} (replace) needs a value`)
        get(doc, path)
        doc =
          path.length === 0
            ? structuredClone(op.value)
            : add(remove(doc, path), path, structuredClone(op.value))
        break
      case 'move': {
        const from = parsePointer(op.from)
        const value = get(doc, from)
        doc = add(remove(doc, from), path, value)
        break
      }
      case 'copy':
        doc = add(doc, path, structuredClone(get(doc, parsePointer(op.from))))
        break
      case 'test':
        if (JSON.stringify(get(doc, path)) !== JSON.stringify(op.value)) {
          throw new JsonPatchError(`operation ${i} (test) failed`)
        }
        break
      default:
        throw new JsonPatchError(`operation ${i} has an unknown op ${JSON.stringify(op.op)}`)
    }
  })
  return doc
}
