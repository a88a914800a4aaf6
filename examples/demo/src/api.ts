// The demo's protected API, in the framework DEMO_FRAMEWORK (or --framework=) names. Every one
// serves the same routes with the same answers (examples/*-api); only the adapter differs.
import { createServer, type Server } from 'node:http'
import { getRequestListener } from '@hono/node-server'
import type { VerifierConfig } from '@hydrakit/core'
import { createApp as createExpressApi } from '@hydrakit/example-express-api/app'
import { createApp as createFastifyApi } from '@hydrakit/example-fastify-api/app'
import { createApp as createHonoApi } from '@hydrakit/example-hono-api/app'
import { createApp as createKoaApi } from '@hydrakit/example-koa-api/app'

/** The frameworks the demo can run its API on; the first is the default. */
export const FRAMEWORKS = ['express', 'koa', 'fastify', 'hono'] as const

/** One of {@link FRAMEWORKS}. */
export type Framework = (typeof FRAMEWORKS)[number]

/** The API as a Node.js server that is not listening yet, and how to release what it holds. */
export interface Api {
  /** The example it runs, e.g. `examples/fastify-api`. */
  example: string
  server: Server
  close: () => Promise<void>
}

const START: Record<Framework, (config: VerifierConfig) => Promise<Omit<Api, 'example'>>> = {
  express: (config) => {
    const { app, close } = createExpressApi(config)
    return Promise.resolve({ server: createServer(app), close })
  },
  koa: (config) => {
    const { app, close } = createKoaApi(config)
    const handle = app.callback()
    return Promise.resolve({
      server: createServer((req, res) => {
        void handle(req, res)
      }),
      close,
    })
  },
  fastify: async (config) => {
    const { app, close } = await createFastifyApi(config)
    return { server: app.server, close }
  },
  hono: (config) => {
    const { app, close } = createHonoApi(config)
    const listener = getRequestListener(app.fetch)
    return Promise.resolve({
      server: createServer((req, res) => {
        void listener(req, res)
      }),
      close,
    })
  },
}

/**
 * The framework chosen by a `--framework=<name>` argument, else by `DEMO_FRAMEWORK`, else Express.
 * Throws a TypeError listing the valid names for any other value.
 */
export function chooseFramework(argv: readonly string[], env: NodeJS.ProcessEnv): Framework {
  const arg = argv.findLast((a) => a.startsWith('--framework='))
  const [value, from] =
    arg !== undefined
      ? [arg.slice('--framework='.length), '--framework']
      : [env.DEMO_FRAMEWORK ?? '', 'DEMO_FRAMEWORK']
  if (value === '' && arg === undefined) return FRAMEWORKS[0]
  const found = FRAMEWORKS.find((f) => f === value)
  if (found === undefined) {
    throw new TypeError(`${from} must be one of ${FRAMEWORKS.join(', ')}, got ${JSON.stringify(value)}`)
  }
  return found
}

/** Builds the API of `framework` with `config`; listening is up to the caller. */
export async function createApi(framework: Framework, config: VerifierConfig): Promise<Api> {
  return { example: `examples/${framework}-api`, ...(await START[framework](config)) }
}
