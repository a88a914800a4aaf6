import type { TokenVerifier } from '../verifier.js'
import { createVerifier, type VerifierConfig } from '../verify/create.js'

/** The options of `GuardSettings`, which every adapter's `hydra()` accepts. */
export const GUARD_SETTING_NAMES: readonly string[] = ['token', 'scopeStrategy', 'protectedResource', 'hooks']

/**
 * The verifier an adapter's `hydra(options)` uses: `options.verifier`, or one built from the flat
 * configuration by `createVerifier`. Unknown and misplaced options are refused with a TypeError
 * (with a hint where one exists); `adapterOptions` names the settings the adapter reads itself.
 * With `verifier`, verifier options (`issuer`, `audience`, …) are refused too: they would be
 * ignored.
 */
export function verifierFromHydraOptions(options: object, adapterOptions: readonly string[]): TokenVerifier {
  const o = options as Record<string, unknown>
  const own = [...GUARD_SETTING_NAMES, ...adapterOptions, 'verifier']
  if (o.verifier !== undefined) {
    const v: unknown = o.verifier
    if (v === null || typeof v !== 'object' || typeof (v as { verify?: unknown }).verify !== 'function') {
      throw new TypeError('verifier must be a TokenVerifier (an object with verify())')
    }
    for (const key of Object.keys(o)) {
      if (!own.includes(key) && o[key] !== undefined) {
        throw new TypeError(`${key} cannot be combined with verifier: configure it on the verifier instead`)
      }
    }
    return o.verifier as TokenVerifier
  }
  return createVerifier(options as VerifierConfig, own)
}

/** `auth.ready()`: the verifier's readiness probe, or nothing to check for one without `check()`. */
export async function checkReady(verifier: TokenVerifier): Promise<void> {
  await verifier.check?.()
}
