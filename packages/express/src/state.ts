import type { AuthInfo } from '@hydrakit/core'
import type { AuthState } from '@hydrakit/core/adapter'
import type { Request } from 'express'

/**
 * Per-request authentication state, private to this package. `undefined` = not authenticated yet.
 *
 * Kept in a WeakMap rather than written onto `req`: Express gives every request object its own
 * hidden class, and adding properties to it per request costs more (in time and GC) than the whole
 * cached-token check. `req.auth` is an accessor installed once on the app's request prototype
 * (`req.app.request`, not Express's global one), reading the same map.
 */
const states = new WeakMap<object, AuthState>()
const patched = new WeakSet<object>()

const authAccessor: PropertyDescriptor = {
  configurable: true,
  enumerable: false,
  get(this: object): AuthInfo | undefined {
    return states.get(this) ?? undefined
  },
  // Other middleware may assign req.auth (e.g. another auth library): give it an own property then.
  set(this: object, value: unknown) {
    Object.defineProperty(this, 'auth', { value, writable: true, configurable: true, enumerable: true })
  },
}

export function readState(req: Request): AuthState | undefined {
  return states.get(req)
}

export function writeState(req: Request, state: AuthState): void {
  states.set(req, state)
  const proto = Object.getPrototypeOf(req) as object | null
  if (proto !== null && !patched.has(proto)) {
    patched.add(proto)
    if (!Object.hasOwn(proto, 'auth')) Object.defineProperty(proto, 'auth', authAccessor)
  }
  if (state !== null && (req as { auth?: unknown }).auth !== state) {
    // The prototype could not carry the accessor (someone else defined `auth` there): write it.
    ;(req as Request & { auth?: AuthInfo }).auth = state
  }
}
