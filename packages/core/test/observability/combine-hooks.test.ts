import { describe, expect, it } from 'vitest'
import {
  ignoresSuccesses,
  wantsSuccesses,
  type CacheEvent,
  type HydrakitHooks,
  type VerifyEvent,
} from '../../src/hooks.js'
import { combineHooks } from '../../src/combine-hooks.js'

const verifyEvent: VerifyEvent = { outcome: 'success', source: 'jwt', cached: false, durationMs: 1 }

describe('combineHooks', () => {
  it('calls every set hook in order, and keeps going when one throws', () => {
    const calls: string[] = []
    const combined = combineHooks(
      {
        onVerify: () => {
          calls.push('a')
          throw new Error('broken listener')
        },
      },
      undefined,
      { onVerify: () => calls.push('b'), onCache: () => calls.push('b-cache') },
      { onVerify: () => calls.push('c') },
    )
    combined.onVerify!(verifyEvent)
    combined.onCache!({ cache: 'jwt', tier: 'l1', outcome: 'hit' })
    expect(calls).toEqual(['a', 'b', 'c', 'b-cache'])
  })

  it('leaves unset hooks unset and passes a single hook through as is', () => {
    const onCache = (_e: CacheEvent): void => undefined
    const combined = combineHooks({ onCache }, {}, undefined)
    expect(combined.onCache).toBe(onCache)
    expect(combined.onVerify).toBeUndefined()
    expect(combined.onUpstream).toBeUndefined()
    expect(combined.onJwksRefresh).toBeUndefined()
    expect(combineHooks()).toEqual({})
  })

  it('passes the same event object to each hook', () => {
    const seen: VerifyEvent[] = []
    const h: HydrakitHooks = { onVerify: (e) => seen.push(e) }
    combineHooks(h, h).onVerify!(verifyEvent)
    expect(seen).toEqual([verifyEvent, verifyEvent])
  })

  it('validates its arguments, naming the position', () => {
    expect(() => combineHooks(null as never)).toThrow('hooks[0] must be an object or undefined')
    expect(() => combineHooks({}, { onVerify: 'yes' } as never)).toThrow(
      'hooks[1].onVerify must be a function',
    )
  })
})

describe('combineHooks: listeners that read failures only', () => {
  it('stay marked alone and combined with each other; one listener wanting successes unmarks the whole', () => {
    const a = ignoresSuccesses(() => undefined)
    const b = ignoresSuccesses(() => undefined)
    expect(wantsSuccesses(combineHooks({ onVerify: a }).onVerify)).toBe(false)
    expect(wantsSuccesses(combineHooks({ onVerify: a }, { onVerify: b }).onVerify)).toBe(false)
    expect(wantsSuccesses(combineHooks({ onVerify: a }, { onVerify: () => undefined }).onVerify)).toBe(true)
    expect(wantsSuccesses(combineHooks({ onCache: () => undefined }).onVerify)).toBe(false)
  })
})
