import type { AuthInfo } from '@hydrakit/core'
import type { Request } from 'express'

/**
 * What guards remember per request, private to this package: the {@link AuthInfo}, `null` for an
 * anonymous request an optional guard let through; absent = not authenticated yet.
 *
 * Kept in a WeakMap rather than written onto `req`: Express gives every request object its own
 * hidden class, and adding properties to it per request costs more (in time and GC) than the whole
 * cached-token check. `req.auth` is an accessor installed once on the app's request prototype
 * (`req.app.request`, not Express's global one), reading the same map.
 */
const remembered = new WeakMap<object, AuthInfo | null>()
const patched = new WeakSet<object>()

const authAccessor: PropertyDescriptor = {
  configurable: true,
  enumerable: false,
  get(this: object): AuthInfo | undefined {
    return remembered.get(this) ?? undefined
  },
  // Other middleware may assign req.auth (e.g. another auth library): give it an own property then.
  set(this: object, value: unknown) {
    Object.defineProperty(this, 'auth', { value, writable: true, configurable: true, enumerable: true })
  },
}

export function readAuth(req: Request): AuthInfo | null | undefined {
  return remembered.get(req)
}

export function writeAuth(req: Request, auth: AuthInfo | null): void {
  remembered.set(req, auth)
  const proto = Object.getPrototypeOf(req) as object | null
  if (proto !== null && !patched.has(proto)) {
    patched.add(proto)
    if (!Object.hasOwn(proto, 'auth')) Object.defineProperty(proto, 'auth', authAccessor)
  }
  if (auth !== null && (req as { auth?: unknown }).auth !== auth) {
    // The prototype could not carry the accessor (someone else defined `auth` there): write it.
    ;(req as Request & { auth?: AuthInfo }).auth = auth
  }
}
