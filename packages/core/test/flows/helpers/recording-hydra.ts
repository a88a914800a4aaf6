import { createHydraAdminClient, type HydraAdminClient } from '../../../src/hydra/index.js'
import {
  createLoginConsentHandler,
  type LoginConsentHandler,
  type LoginConsentOptions,
} from '../../../src/flows/index.js'
import {
  startRecordingServer,
  type CannedReply,
  type RecordedRequest,
  type RecordingServer,
} from '../../hydra/helpers/recording-server.js'
import { SECRET } from './harness.js'

export const HYDRA_PUBLIC = 'http://hydra.test'

export const CLIENT = {
  client_id: 'client-1',
  client_name: 'Recorded Client',
  client_uri: 'https://client.example.com/home',
}

export function loginRequest(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    challenge: 'ch1',
    skip: false,
    subject: '',
    client: CLIENT,
    request_url: `${HYDRA_PUBLIC}/oauth2/auth?client_id=client-1`,
    requested_scope: ['openid'],
    requested_access_token_audience: [],
    ...extra,
  }
}

export function consentRequest(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    challenge: 'ch1',
    skip: false,
    subject: 'user-1',
    client: CLIENT,
    request_url: `${HYDRA_PUBLIC}/oauth2/auth?client_id=client-1`,
    requested_scope: ['openid', 'email', 'read'],
    requested_access_token_audience: ['https://api.example.com'],
    ...extra,
  }
}

export function logoutRequest(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    challenge: 'ch1',
    subject: 'user-1',
    sid: 'sid-1',
    request_url: `${HYDRA_PUBLIC}/oauth2/sessions/logout`,
    rp_initiated: false,
    ...extra,
  }
}

/** Hydra's happy answers for every flow call. */
export function defaultReply(r: RecordedRequest): CannedReply {
  const kind = /requests\/(login|consent|logout)/.exec(r.path)?.[1]
  if (r.method === 'GET') {
    if (kind === 'login') return { body: loginRequest() }
    if (kind === 'consent') return { body: consentRequest() }
    return { body: logoutRequest() }
  }
  if (kind === 'logout' && r.path.endsWith('/reject')) return { status: 204 }
  return { body: { redirect_to: `${HYDRA_PUBLIC}/oauth2/auth?${kind}_verifier=v` } }
}

export interface RecordingHydra {
  server: RecordingServer
  admin: HydraAdminClient
  handler(extra?: Partial<LoginConsentOptions>): LoginConsentHandler
  /** The PUT requests Hydra received, bodies parsed. */
  puts(): Array<{ path: string; body: unknown }>
  close(): Promise<void>
}

/** A recording server that answers like Hydra (see {@link defaultReply}) unless told otherwise. */
export async function startRecordingHydra(): Promise<RecordingHydra> {
  const server = await startRecordingServer()
  server.setDefault(defaultReply)
  const admin = createHydraAdminClient({ adminUrl: server.url, retries: 0 })
  return {
    server,
    admin,
    handler: (extra = {}) =>
      createLoginConsentHandler({
        admin,
        hydraPublicUrl: HYDRA_PUBLIC,
        csrfSecret: SECRET,
        authenticate: ({ username }) => ({ subject: username }),
        ...extra,
      }),
    puts: () =>
      server.requests
        .filter((r) => r.method === 'PUT')
        .map((r) => ({ path: r.path, body: r.body === '' ? undefined : (JSON.parse(r.body) as unknown) })),
    async close() {
      await admin.close()
      await server.close()
    },
  }
}
