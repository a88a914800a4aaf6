import type { AuthInfo, AuthState } from '@hydrakit/core'
import type { Request } from 'express'

/** Per-request authentication state, private to this package. `undefined` = not authenticated yet. */
const kState = Symbol('hydrakit.auth')

type WithState = Request & { [kState]?: AuthState; auth?: AuthInfo }

export function readState(req: Request): AuthState | undefined {
  return (req as WithState)[kState]
}

export function writeState(req: Request, state: AuthState): void {
  ;(req as WithState)[kState] = state
  if (state !== null) (req as WithState).auth = state
}
