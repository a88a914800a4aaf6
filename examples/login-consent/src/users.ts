import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto'

/** A user of the demo store. */
export interface DemoUser {
  /** Stable id, sent to Hydra as `subject`. */
  id: string
  email: string
  name: string
}

/** Where the example looks users up. Replace it with your own database. */
export interface UserStore {
  /** The user when the email and password match, else `null`. */
  verify(email: string, password: string): Promise<DemoUser | null>
  /** The user with this id, if it still exists. */
  find(id: string): Promise<DemoUser | undefined>
}

interface StoredUser extends DemoUser {
  salt: Buffer
  hash: Buffer
}

function hash(password: string, salt: Buffer): Buffer {
  return scryptSync(password, salt, 32)
}

/**
 * An in-memory user store with one demo user, `foo@bar.com` / `foobar` (the same as Ory's reference
 * app). Passwords are kept as scrypt hashes and compared in constant time; an unknown email costs
 * the same hashing work as a wrong password.
 */
export function createDemoUserStore(
  users: Array<DemoUser & { password: string }> = [
    { id: 'foo@bar.com', email: 'foo@bar.com', name: 'Foo Bar', password: 'foobar' },
  ],
): UserStore {
  const byEmail = new Map<string, StoredUser>()
  for (const u of users) {
    const salt = randomBytes(16)
    byEmail.set(u.email.toLowerCase(), {
      id: u.id,
      email: u.email,
      name: u.name,
      salt,
      hash: hash(u.password, salt),
    })
  }
  const dummySalt = randomBytes(16)
  const view = (u: StoredUser): DemoUser => ({ id: u.id, email: u.email, name: u.name })
  return {
    verify(email, password) {
      const user = byEmail.get(email.toLowerCase())
      const computed = hash(password, user?.salt ?? dummySalt)
      const ok = user !== undefined && timingSafeEqual(computed, user.hash)
      return Promise.resolve(ok ? view(user) : null)
    },
    find(id) {
      for (const u of byEmail.values()) if (u.id === id) return Promise.resolve(view(u))
      return Promise.resolve(undefined)
    },
  }
}
