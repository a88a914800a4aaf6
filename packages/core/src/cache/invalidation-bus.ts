import { createHmac, randomBytes, randomUUID } from 'node:crypto'
import {
  checkRedisClient,
  integerOption,
  integritySecret,
  RedisCallError,
  sameText,
  withDeadline,
  type RedisIntegrityOptions,
} from './redis-support.js'

/**
 * A cache invalidation sent to every instance. Messages can only remove or deactivate cache entries,
 * never add an accepted one. They are signed with the channel's `integrityKey` and carry their send
 * time, so a forged one is dropped and a replayed one only within `maxMessageAgeMs`.
 *
 * - `revoke`: the entry under `key` (a full cache key, prefix included) is to be treated as inactive.
 * - `subject`: every entry under `prefix` whose subject's SHA-256 (base64url) is `subjectHash` is
 *   dropped. The subject itself is never sent.
 * - `all`: every entry under `prefix` is dropped.
 */
export type InvalidationMessage =
  | { type: 'revoke'; key: string }
  | { type: 'subject'; prefix: string; subjectHash: string }
  | { type: 'all'; prefix: string }

/**
 * What subscribers receive: a message from another instance, or `resync` when messages may have
 * been missed (the channel reconnected after an interruption, or more messages arrived than
 * `maxMessagesPerSecond`), so per-process entries should be dropped (revocation marks kept).
 */
export type InvalidationEvent = InvalidationMessage | { type: 'resync' }

/** A publish/subscribe channel that keeps per-process caches of several instances coherent. */
export interface InvalidationBus {
  /** The channel name. */
  readonly channel: string
  /**
   * Sends `message` to every other instance. Rejects when it could not be sent (Redis down, or no
   * answer within `timeoutMs`). Messages are fire-and-forget: an instance that is disconnected at that
   * moment does not get it (it gets a `resync` when it reconnects).
   */
  publish(message: InvalidationMessage): Promise<void>
  /**
   * Calls `listener` for every valid message from another instance and for `resync`. Malformed
   * messages and this instance's own messages are ignored. A listener that throws is ignored. Returns
   * a function that unsubscribes.
   */
  subscribe(listener: (event: InvalidationEvent) => void): () => void
  /**
   * Resolves once the channel is subscribed in Redis (at once if it already is, or after `close()`).
   * Useful at startup and in tests; never rejects.
   */
  whenSubscribed(): Promise<void>
  /** Disconnects the subscriber connection this bus opened. Idempotent. Never closes your client. */
  close(): Promise<void>
}

/**
 * The dedicated connection used to subscribe (ioredis: a `duplicate()` of your client, since a
 * connection in subscriber mode cannot run other commands).
 */
export interface RedisSubscriberLike {
  subscribe(channel: string): Promise<unknown>
  on(event: string, listener: (...args: never[]) => void): unknown
  connect(): Promise<void>
  disconnect(): void
  readonly status?: string
}

/** The part of an ioredis client the invalidation channel uses. */
export interface RedisPubSubClientLike {
  publish(channel: string, message: string): Promise<number>
  /** Opens a new connection with the same settings (ioredis `duplicate()`), used for `SUBSCRIBE`. */
  duplicate(): RedisSubscriberLike
  readonly status?: string
}

/**
 * Options of {@link createRedisInvalidationBus}. One of `integrityKey` (the same secret as the
 * cache store's) or `integrity: 'none-trusted-redis'` is required.
 */
export interface RedisInvalidationBusOptions extends RedisIntegrityOptions {
  /**
   * Pub/sub channel name. Every instance that shares a cache must use the same one; unrelated
   * deployments sharing a Redis should use different ones. Default `'hydrakit:invalidate'`.
   */
  channel?: string | undefined
  /** Deadline of `PUBLISH`, in milliseconds. An integer >= 1. Default `200`. */
  timeoutMs?: number | undefined
  /**
   * Oldest (and furthest in the future, for clock skew) a received message may be, by its signed
   * send time, in milliseconds; others are dropped. A message is also applied at most once. An
   * integer >= 1. Default `30000`.
   */
  maxMessageAgeMs?: number | undefined
  /**
   * Most messages examined per second (one-second windows). Further messages in the same window
   * are dropped unread and, when the window ends, subscribers get one `resync` (as after a lost
   * connection), so a flood costs cache misses, never a missed revocation or a blocked event loop.
   * An integer >= 1. Default `1000`.
   */
  maxMessagesPerSecond?: number | undefined
}

const DEFAULT_CHANNEL = 'hydrakit:invalidate'
const MAX_MESSAGE_LENGTH = 4096
const MAX_KEY_LENGTH = 1024
const HASH = /^[A-Za-z0-9_-]{43}$/
const DOWN_STATES = new Set(['reconnecting', 'close', 'end'])

/**
 * Creates an invalidation channel on Redis pub/sub. `PUBLISH` goes through `client`; the first
 * `subscribe()` opens a second connection with `client.duplicate()`, which `close()` disconnects.
 * ioredis re-subscribes after a reconnect; subscribers then get a `resync` event. Validates options
 * now; a bad one throws a TypeError naming it.
 *
 * @example
 * ```ts
 * const bus = createRedisInvalidationBus(redis, {
 *   channel: 'orders-api:invalidate',
 *   integrityKey: process.env.CACHE_SECRET!,
 * })
 * ```
 */
export function createRedisInvalidationBus(
  client: RedisPubSubClientLike,
  options: RedisInvalidationBusOptions,
  optionPath = 'options',
): InvalidationBus {
  checkRedisClient(client, ['publish', 'duplicate'], 'client')
  if (options === null || typeof options !== 'object') {
    throw new TypeError(
      `${optionPath} must be an object with integrityKey (or integrity: 'none-trusted-redis')`,
    )
  }
  const secret = integritySecret(options, optionPath)
  const channel = options.channel ?? DEFAULT_CHANNEL
  if (typeof channel !== 'string' || channel === '' || channel.length > MAX_KEY_LENGTH) {
    throw new TypeError(
      `${optionPath}.channel must be a non-empty string of at most ${MAX_KEY_LENGTH} characters`,
    )
  }
  const timeoutMs = integerOption(options.timeoutMs, 200, 1, `${optionPath}.timeoutMs`)
  const maxAgeMs = integerOption(options.maxMessageAgeMs, 30_000, 1, `${optionPath}.maxMessageAgeMs`)
  const budget = integerOption(options.maxMessagesPerSecond, 1000, 1, `${optionPath}.maxMessagesPerSecond`)
  const codec = messageCodec(secret, channel)
  const origin = randomUUID()
  // Nonces of messages applied within the age window (insertion order = arrival order).
  const seen = new Map<string, number>()
  const maxSeen = Math.max(1, Math.ceil((budget * 2 * maxAgeMs) / 1000))
  let windowStart = -Infinity
  let windowCount = 0
  let overflowTimer: NodeJS.Timeout | undefined
  const listeners = new Set<(event: InvalidationEvent) => void>()
  let subscriber: RedisSubscriberLike | undefined
  let subscribed = false
  let closed = false
  let waiting: Array<() => void> = []

  const deliver = (event: InvalidationEvent): void => {
    for (const listener of [...listeners]) {
      try {
        listener(event)
      } catch {
        // A broken listener must not stop the others.
      }
    }
  }

  const markSubscribed = (): void => {
    const again = subscribed
    subscribed = true
    const resolved = waiting
    waiting = []
    for (const resolve of resolved) resolve()
    // A second acknowledgement means the connection was lost and came back: messages may be lost.
    if (again) deliver({ type: 'resync' })
  }

  const doSubscribe = (sub: RedisSubscriberLike): void => {
    sub.subscribe(channel).then(
      () => {
        if (!closed) markSubscribed()
      },
      () => {
        // Not connected yet (offline queue disabled) or lost: the next 'ready' retries.
      },
    )
  }

  /**
   * Counts one received message against the per-second budget. Over budget: false, and one resync
   * is delivered when the window ends (the dropped messages may have been revocations).
   */
  const withinBudget = (): boolean => {
    const now = performance.now()
    if (now - windowStart >= 1000) {
      windowStart = now
      windowCount = 0
    }
    windowCount++
    if (windowCount <= budget) return true
    if (overflowTimer === undefined) {
      overflowTimer = setTimeout(
        () => {
          overflowTimer = undefined
          if (!closed) deliver({ type: 'resync' })
        },
        Math.max(1, Math.ceil(windowStart + 1000 - now)),
      )
      overflowTimer.unref()
    }
    return false
  }

  const open = (): void => {
    if (subscriber !== undefined || closed) return
    const sub = client.duplicate()
    subscriber = sub
    sub.on('message', (ch: string, text: string) => {
      if (closed || ch !== channel) return
      if (!withinBudget()) return
      const parsed = codec.decode(text, origin)
      if (parsed === undefined) return
      const now = Date.now()
      if (Math.abs(now - parsed.sentAt) > maxAgeMs || seen.has(parsed.nonce)) return
      seen.set(parsed.nonce, parsed.sentAt)
      if (seen.size > maxSeen) {
        for (const [nonce, sentAt] of seen) {
          if (seen.size <= maxSeen && now - sentAt <= maxAgeMs) break
          seen.delete(nonce)
        }
      }
      deliver(parsed.message)
    })
    // ioredis emits 'error' for connection problems; without a listener it logs them.
    sub.on('error', () => undefined)
    sub.on('ready', () => {
      // ioredis re-subscribes by itself after a reconnect; subscribing again is harmless, covers
      // clients configured without the offline queue, and its acknowledgement triggers the resync.
      if (!closed) doSubscribe(sub)
    })
    if (sub.status === 'wait') {
      sub.connect().catch(() => undefined)
    } else if (sub.status === 'ready') {
      doSubscribe(sub)
    }
  }

  return {
    channel,
    async publish(message) {
      const text = codec.encode(message, origin)
      if (closed) throw new RedisCallError('the invalidation channel is closed')
      const status = client.status
      if (typeof status === 'string' && DOWN_STATES.has(status)) {
        throw new RedisCallError('redis is unavailable')
      }
      await withDeadline(() => client.publish(channel, text), timeoutMs)
    },
    subscribe(listener) {
      if (typeof listener !== 'function') throw new TypeError('listener must be a function')
      listeners.add(listener)
      open()
      return () => {
        listeners.delete(listener)
      }
    },
    whenSubscribed() {
      if (subscribed || closed) return Promise.resolve()
      return new Promise<void>((resolve) => waiting.push(resolve))
    },
    close() {
      if (!closed) {
        closed = true
        listeners.clear()
        if (overflowTimer !== undefined) clearTimeout(overflowTimer)
        subscriber?.disconnect()
        const resolved = waiting
        waiting = []
        for (const resolve of resolved) resolve()
      }
      return Promise.resolve()
    },
  }
}

function messageBody(message: InvalidationMessage): Record<string, string> {
  if (message === null || typeof message !== 'object') throw new TypeError('message must be an object')
  switch (message.type) {
    case 'revoke':
      checkText(message.key, 'message.key')
      return { t: 'revoke', k: message.key }
    case 'subject':
      checkText(message.prefix, 'message.prefix', true)
      if (typeof message.subjectHash !== 'string' || !HASH.test(message.subjectHash)) {
        throw new TypeError('message.subjectHash must be a base64url SHA-256 digest')
      }
      return { t: 'subject', p: message.prefix, s: message.subjectHash }
    case 'all':
      checkText(message.prefix, 'message.prefix', true)
      return { t: 'all', p: message.prefix }
    default:
      throw new TypeError("message.type must be 'revoke', 'subject' or 'all'")
  }
}

interface DecodedMessage {
  message: InvalidationMessage
  sentAt: number
  nonce: string
}

/**
 * Wire format: `<signature>.<json>`, the signature an HMAC-SHA-256 (base64url) of the channel name
 * and the JSON text, or `-` without a secret. The JSON holds version, origin, nonce, send time and
 * the message. The length is checked before anything else.
 */
function messageCodec(secret: Buffer | undefined, channel: string) {
  const sign = (json: string): string =>
    secret === undefined
      ? '-'
      : createHmac('sha256', secret).update(`v2\nbus\n${channel}\n${json}`).digest('base64url')
  return {
    encode(message: InvalidationMessage, origin: string): string {
      const body = messageBody(message)
      const json = JSON.stringify({
        v: 2,
        o: origin,
        n: randomBytes(12).toString('base64url'),
        ts: Date.now(),
        ...body,
      })
      return `${sign(json)}.${json}`
    },
    decode(text: unknown, origin: string): DecodedMessage | undefined {
      if (typeof text !== 'string' || text.length > MAX_MESSAGE_LENGTH) return undefined
      const dot = text.indexOf('.')
      if (dot < 1) return undefined
      const json = text.slice(dot + 1)
      if (!sameText(text.slice(0, dot), sign(json))) return undefined
      return parseMessage(json, origin)
    },
  }
}

function checkText(value: unknown, path: string, allowEmpty = false): void {
  if (typeof value !== 'string' || (!allowEmpty && value === '') || value.length > MAX_KEY_LENGTH) {
    throw new TypeError(`${path} must be a string of at most ${MAX_KEY_LENGTH} characters`)
  }
}

/** Decodes a message's JSON; undefined when malformed or sent by this instance. */
function parseMessage(text: string, origin: string): DecodedMessage | undefined {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch {
    return undefined
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return undefined
  const m = data as Record<string, unknown>
  if (m.v !== 2 || typeof m.o !== 'string' || m.o === origin) return undefined
  if (typeof m.n !== 'string' || m.n.length > 64 || typeof m.ts !== 'number' || !Number.isFinite(m.ts)) {
    return undefined
  }
  const message = toMessage(m)
  return message === undefined ? undefined : { message, sentAt: m.ts, nonce: `${m.o}:${m.n}` }
}

function toMessage(m: Record<string, unknown>): InvalidationMessage | undefined {
  const short = (v: unknown): v is string => typeof v === 'string' && v.length <= MAX_KEY_LENGTH
  switch (m.t) {
    case 'revoke':
      return short(m.k) && m.k !== '' ? { type: 'revoke', key: m.k } : undefined
    case 'subject':
      return short(m.p) && typeof m.s === 'string' && HASH.test(m.s)
        ? { type: 'subject', prefix: m.p, subjectHash: m.s }
        : undefined
    case 'all':
      return short(m.p) ? { type: 'all', prefix: m.p } : undefined
    default:
      return undefined
  }
}
