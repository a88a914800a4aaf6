/**
 * The mock's clock: wall time plus an offset that tests move with `setTime` / `advanceTime`.
 * Every expiry the server checks (tokens, codes, challenges, sessions) reads this clock, so moving
 * it is the same as waiting.
 */
export interface MockClock {
  /** Current mock time in milliseconds since the epoch. */
  nowMs(): number
  /** Current mock time in whole seconds since the epoch (the unit of JWT and introspection claims). */
  nowSeconds(): number
  /** Moves the clock so that "now" is `time` (a `Date` or milliseconds since the epoch). */
  set(time: Date | number): void
  /** Moves the clock forward by `seconds` (negative values move it back). */
  advance(seconds: number): void
  /** Returns to wall time. */
  reset(): void
}

/** Creates a {@link MockClock} that starts at wall time. */
export function createClock(): MockClock {
  let offset = 0
  const nowMs = (): number => Date.now() + offset
  return {
    nowMs,
    nowSeconds: () => Math.floor(nowMs() / 1000),
    set(time) {
      const target = time instanceof Date ? time.getTime() : time
      if (typeof target !== 'number' || !Number.isFinite(target)) {
        throw new TypeError(
          'setTime(time) needs a valid Date or a finite number of milliseconds since the epoch',
        )
      }
      offset = target - Date.now()
    },
    advance(seconds) {
      if (typeof seconds !== 'number' || !Number.isFinite(seconds)) {
        throw new TypeError('advanceTime(seconds) needs a finite number of seconds')
      }
      offset += seconds * 1000
    },
    reset() {
      offset = 0
    },
  }
}
