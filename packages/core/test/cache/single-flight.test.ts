import { describe, expect, it } from 'vitest'
import { createSingleFlight } from '../../src/cache/single-flight.js'

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: Error) => void } {
  let resolve!: (v: T) => void
  let reject!: (e: Error) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

describe('createSingleFlight', () => {
  it('runs the work once for concurrent callers of one key and gives all of them the result', async () => {
    const flight = createSingleFlight<number>()
    const gate = deferred<number>()
    let calls = 0
    const work = (): Promise<number> => {
      calls++
      return gate.promise
    }
    const all = Array.from({ length: 20 }, () => flight.run('k', work))
    expect(flight.size).toBe(1)
    gate.resolve(42)
    expect(await Promise.all(all)).toEqual(Array(20).fill(42))
    expect(calls).toBe(1)
    expect(flight.size).toBe(0)
  })

  it('keeps different keys apart', async () => {
    const flight = createSingleFlight<string>()
    let calls = 0
    const [a, b] = await Promise.all([
      flight.run('a', () => Promise.resolve(`a${++calls}`)),
      flight.run('b', () => Promise.resolve(`b${++calls}`)),
    ])
    expect(calls).toBe(2)
    expect([a, b]).toEqual(['a1', 'b2'])
  })

  it('shares a failure with every waiter but does not remember it', async () => {
    const flight = createSingleFlight<number>()
    const gate = deferred<number>()
    let calls = 0
    const waiting = Array.from({ length: 5 }, () =>
      flight.run('k', () => {
        calls++
        return gate.promise
      }),
    )
    gate.reject(new Error('upstream down'))
    const settled = await Promise.allSettled(waiting)
    expect(settled.every((s) => s.status === 'rejected')).toBe(true)
    expect(calls).toBe(1)
    // The next caller starts a fresh call.
    await expect(
      flight.run('k', () => {
        calls++
        return Promise.resolve(7)
      }),
    ).resolves.toBe(7)
    expect(calls).toBe(2)
  })

  it('turns a synchronous throw into a shared rejection and recovers', async () => {
    const flight = createSingleFlight<number>()
    await expect(
      flight.run('k', () => {
        throw new Error('sync')
      }),
    ).rejects.toThrow('sync')
    expect(flight.size).toBe(0)
    await expect(flight.run('k', () => Promise.resolve(1))).resolves.toBe(1)
  })

  it('lets one caller stop waiting on abort without cancelling the shared call', async () => {
    const flight = createSingleFlight<number>()
    const gate = deferred<number>()
    let calls = 0
    const work = (): Promise<number> => {
      calls++
      return gate.promise
    }
    const ac = new AbortController()
    const impatient = flight.run('k', work, ac.signal)
    const patient = flight.run('k', work)
    ac.abort(new Error('client went away'))
    await expect(impatient).rejects.toThrow('client went away')
    gate.resolve(5)
    await expect(patient).resolves.toBe(5)
    expect(calls).toBe(1)
  })

  it('rejects at once for an already aborted signal without starting work', async () => {
    const flight = createSingleFlight<number>()
    let calls = 0
    const ac = new AbortController()
    ac.abort(new Error('gone'))
    await expect(flight.run('k', () => Promise.resolve(++calls), ac.signal)).rejects.toThrow('gone')
    expect(calls).toBe(0)
    expect(flight.size).toBe(0)
  })
})
