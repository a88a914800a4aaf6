#!/usr/bin/env node
// The `hydrakit` command. `hydrakit doctor --issuer <url> [--admin-url <url>] [--token <token>] ...`
// checks a Hydra setup and exits 1 when it found a problem, 2 on a usage error.
import { parseArgs } from 'node:util'
import { formatDoctorReport, runDoctor } from '../diagnostics/doctor.js'

const USAGE = `usage: hydrakit doctor --issuer <url> [options]

  --issuer <url>          Hydra's issuer, exactly as the API is configured (required)
  --admin-url <url>       Hydra's admin API, e.g. http://hydra:4445 (checks admin and introspection)
  --admin-authorization <value>
                          Authorization header for the admin API, e.g. "Bearer ory_pat_..."
  --token <token>         an access token to examine (or set HYDRAKIT_TOKEN)
  --audience <aud>        an audience the API requires (repeatable)
  --scope <scope>         a scope the API requires (repeatable)
  --clock-tolerance <s>   tolerated clock skew in seconds (default 5)
  --timeout <ms>          deadline of each request (default 5000)
`

async function main(argv: string[]): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        issuer: { type: 'string' },
        'admin-url': { type: 'string' },
        'admin-authorization': { type: 'string' },
        token: { type: 'string' },
        audience: { type: 'string', multiple: true },
        scope: { type: 'string', multiple: true },
        'clock-tolerance': { type: 'string' },
        timeout: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    })
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`)
    return 2
  }
  const { values, positionals } = parsed
  if (values.help === true) {
    process.stdout.write(USAGE)
    return 0
  }
  if (positionals[0] !== 'doctor' || positionals.length !== 1 || values.issuer === undefined) {
    process.stderr.write(USAGE)
    return 2
  }
  const number = (v: string | undefined, name: string): number | undefined => {
    if (v === undefined) return undefined
    const n = Number(v)
    if (!Number.isFinite(n) || n < 0) throw new TypeError(`--${name} must be a non-negative number`)
    return n
  }
  try {
    new URL(values.issuer)
    if (values['admin-url'] !== undefined) new URL(values['admin-url'])
  } catch {
    process.stderr.write(`--issuer and --admin-url must be absolute URLs\n\n${USAGE}`)
    return 2
  }
  const report = await runDoctor({
    issuer: values.issuer,
    adminUrl: values['admin-url'],
    adminAuthorization: values['admin-authorization'],
    token: values.token ?? process.env.HYDRAKIT_TOKEN,
    audience: values.audience,
    scopes: values.scope,
    clockTolerance: number(values['clock-tolerance'], 'clock-tolerance'),
    timeoutMs: number(values.timeout, 'timeout'),
  })
  process.stdout.write(`hydrakit doctor: ${values.issuer}\n\n${formatDoctorReport(report)}\n`)
  return report.failed ? 1 : 0
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (err: unknown) => {
    process.stderr.write(`hydrakit: ${err instanceof Error ? err.message : String(err)}\n`)
    process.exitCode = 2
  },
)
