#!/usr/bin/env node
// hydrakit-mock: starts the mock Hydra, prints its URLs and a ready-made client, runs until
// SIGINT/SIGTERM. NOT FOR PRODUCTION.
import { CLI_USAGE, parseCliArgs } from './cli-args.js'
import { createMockHydra } from './server.js'

async function main(): Promise<number> {
  let config: ReturnType<typeof parseCliArgs>
  try {
    config = parseCliArgs(process.argv.slice(2), process.env)
  } catch (e) {
    process.stderr.write(`hydrakit-mock: ${e instanceof Error ? e.message : String(e)}\n\n${CLI_USAGE}\n`)
    return 2
  }
  if (config.help) {
    process.stdout.write(`${CLI_USAGE}\n`)
    return 0
  }
  const hydra = await createMockHydra(config.options)
  let client: ReturnType<typeof hydra.createClient>
  try {
    client = hydra.createClient(config.client)
  } catch (e) {
    await hydra.close()
    throw e
  }
  // Listen for signals before printing: whoever reads the output may stop us right away.
  const stopped = new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      resolve()
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  })
  if (config.json) {
    const line = { publicUrl: hydra.publicUrl, adminUrl: hydra.adminUrl, issuer: hydra.issuer, client }
    process.stdout.write(`${JSON.stringify(line)}\n`)
  } else {
    process.stdout.write(
      [
        'hydrakit mock Hydra: NOT FOR PRODUCTION (in memory, for development and tests)',
        `  public API     ${hydra.publicUrl}`,
        `  admin API      ${hydra.adminUrl}`,
        `  issuer         ${hydra.issuer}`,
        `  client_id      ${client.client_id}`,
        `  client_secret  ${client.client_secret ?? '(none)'}`,
        `  redirect_uris  ${(client.redirect_uris ?? []).join(' ') || '(none)'}`,
        `  scope          ${client.scope ?? ''}`,
        'Press Ctrl+C to stop.',
        '',
      ].join('\n'),
    )
  }
  await stopped
  await hydra.close()
  return 0
}

main().then(
  (code) => {
    process.exitCode = code
  },
  (e: unknown) => {
    process.stderr.write(`hydrakit-mock: ${e instanceof Error ? e.message : String(e)}\n`)
    process.exitCode = 1
  },
)
