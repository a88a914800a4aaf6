// Turns the raw runs into the Markdown report (tables, ratios, target verdicts) and a JSON copy.

/** @param {number} v @param {number} [digits] */
const fmt = (v, digits = 0) => (Number.isFinite(v) ? v.toFixed(digits) : '—')
/** @param {number} v */
const ratio = (v) => (Number.isFinite(v) ? `${v.toFixed(2)} ×` : '—')
/** `Express 4 + express-jwt + jwks-rsa` → `express-jwt + jwks-rsa` @param {string} label */
const peerName = (label) => label.replace(/^(Express|Koa) \d \+ /, '')

const TOKEN_LABEL = {
  hot: 'one hot JWT',
  distinct: 'distinct JWTs',
  invalid: 'wrongly signed JWT (401)',
  'opaque-hot': 'one hot opaque',
  'opaque-distinct': 'new opaque per request',
}

/**
 * @param {any} input
 * @returns {{ markdown: string, data: any, summary: string }}
 */
export function renderReport(input) {
  const {
    opts,
    env,
    pinning,
    cases,
    runs,
    checks,
    micro,
    memory,
    cold,
    notes,
    elapsedSec,
    command,
    scenarioInfo,
    median,
  } = input
  /** @type {Map<string, any>} */
  const agg = new Map()
  for (const c of cases) {
    const all = runs.get(c.id) ?? []
    const valid = all.filter((/** @type {any} */ r) => r.valid)
    const rpsList = valid.map((/** @type {any} */ r) => r.rps)
    const rps = median(rpsList)
    const sum = (/** @type {string} */ k) =>
      valid.reduce((/** @type {number} */ n, /** @type {any} */ r) => n + r[k], 0)
    agg.set(c.id, {
      case: c,
      info: scenarioInfo[c.scenario],
      runs: all.length,
      validRuns: valid.length,
      rps,
      p50: median(valid.map((/** @type {any} */ r) => r.p50)),
      p99: median(valid.map((/** @type {any} */ r) => r.p99)),
      cpuPerReq: median(valid.map((/** @type {any} */ r) => r.cpuPerReq)),
      spread: rpsList.length > 1 ? (Math.max(...rpsList) - Math.min(...rpsList)) / rps : NaN,
      callsPerDistinct:
        c.token === 'distinct' || c.token === 'opaque-distinct'
          ? sum('upstreamCalls') / Math.max(1, sum('distinct'))
          : sum('upstreamCalls'),
      upstreamCalls: sum('upstreamCalls'),
      upstreamP99: median(valid.map((/** @type {any} */ r) => r.upstreamP99)),
      serverP99: median(valid.map((/** @type {any} */ r) => r.serverP99 ?? NaN)),
      jwksCalls: sum('jwksCalls'),
    })
  }
  /** @param {any} a */
  const bareOf = (a) => {
    const fw = a.info.framework
    return agg.get(`bare-${fw === 'node' ? 'node' : fw}:hot:c${a.case.connections}`)
  }
  /** @param {any} a */
  const bestPeerOf = (a) => {
    if (a.info.kind === 'bare' || a.case.token === 'opaque-hot' || a.case.token === 'opaque-distinct') {
      return undefined
    }
    let best
    for (const b of agg.values()) {
      if (b.info.kind !== 'peer' || b.info.framework !== a.info.framework) continue
      if (b.case.token !== a.case.token || b.case.connections !== a.case.connections) continue
      if (best === undefined || b.rps > best.rps) best = b
    }
    return best
  }
  /**
   * Median over rounds of `f(this round's run of a, this round's run of b)`: pairs runs measured
   * minutes apart rather than hours, which steadies ratios on a shared machine.
   * @param {any} a @param {any} b @param {(x: any, y: any) => number} f
   */
  const paired = (a, b, f) => {
    const mine = (runs.get(a.case.id) ?? []).filter((/** @type {any} */ r) => r.valid)
    const theirs = (runs.get(b.case.id) ?? []).filter((/** @type {any} */ r) => r.valid)
    const values = []
    for (const x of mine) {
      const y = theirs.find((/** @type {any} */ t) => t.round === x.round)
      if (y !== undefined) values.push(f(x, y))
    }
    return median(values)
  }
  for (const a of agg.values()) {
    const bare = bareOf(a)
    const isBare = a.info.kind === 'bare'
    a.vsBare = bare === undefined ? NaN : paired(a, bare, (x, y) => x.rps / y.rps)
    // What the RPS ratio would be with the server's CPU to itself: bare CPU/req over this CPU/req.
    a.vsBareCpu = bare === undefined ? NaN : paired(a, bare, (x, y) => y.cpuPerReq / x.cpuPerReq)
    a.authCost = bare === undefined || isBare ? NaN : paired(a, bare, (x, y) => x.cpuPerReq - y.cpuPerReq)
    const peer = bestPeerOf(a)
    a.bestPeer = peer?.case.scenario
    const vsPeer = peer !== undefined && a.info.kind !== 'peer'
    a.vsPeer = vsPeer ? paired(a, peer, (x, y) => x.rps / y.rps) : NaN
    a.vsPeerCpu = vsPeer ? paired(a, peer, (x, y) => y.cpuPerReq / x.cpuPerReq) : NaN
  }

  const lines = []
  lines.push(`# hydrakit benchmark — ${opts.mode} run, ${env.date.slice(0, 10)}`)
  lines.push('')
  lines.push(`Produced by \`${command}\` (from the repository root) in ${fmt(elapsedSec / 60, 1)} minutes.`)
  lines.push('')
  for (const note of notes ?? []) {
    lines.push(`Note: ${note}`)
    lines.push('')
  }
  lines.push('## Setup')
  lines.push('')
  lines.push(`- Machine: ${env.cpus} × ${env.cpu}, Node.js ${env.node}, ${env.date}.`)
  lines.push(
    pinning === undefined
      ? '- CPU pinning: not available (no `taskset` or a single CPU) — server and load generator share the CPUs.'
      : `- CPU pinning (taskset): each server under test alone on CPU ${pinning.server}; autocannon and the local issuer/introspection endpoint on CPU ${pinning.load}.`,
  )
  lines.push(
    `- Load average before/after: ${env.loadBefore.map((/** @type {number} */ v) => v.toFixed(2)).join(' ')} / ${(env.loadAfter ?? []).map((/** @type {number} */ v) => v.toFixed(2)).join(' ')} (the machine is shared; see the spread column).`,
  )
  lines.push(
    `- Per case and round: ${opts.warmupSec} s warm-up (discarded), then ${opts.durationSec} s measured; ${opts.rounds} interleaved round(s) (every case once per round, in the same order); medians of the valid rounds are shown.`,
  )
  lines.push(
    `- Request: \`GET /api\` with \`Authorization: Bearer …\` (the bare servers get the same header and ignore it), answer: a small JSON body. Keep-alive, no pipelining.`,
  )
  lines.push(
    `- Tokens: Hydra-shaped RS256 JWT access tokens (\`iss\`, \`aud\`, \`scp\`, \`client_id\`, \`ext\`, …, ${env.tokenBytes} bytes); \`distinct\` cycles through ${opts.poolSize} different valid tokens, and each server's result cache is emptied before every distinct-token run (a token comes back only after ${opts.poolSize - 1} others, past hydrakit's cache of 10 000 entries and its admission doorkeeper, so nearly every request is a full verification); opaque tokens are introspected at a local RFC 7662 endpoint answering after ${opts.upstreamDelayMs} ms.`,
  )
  lines.push(
    '- Gates: before measuring, every auth scenario must refuse a missing, wrongly signed, malformed, expired and wrong-audience token with 401 and accept valid ones; a round with any unexpected status, error or timeout is discarded.',
  )
  lines.push(
    "- Server CPU µs/req is the server process's own CPU time (user + system) during the measured run divided by the responses; auth cost = that minus the same framework's bare server. Ratios are given twice: by RPS, and by server CPU per request (in parentheses) — the RPS ratio the servers would show with their CPU to themselves. Ratios and auth costs are medians of per-round pairs (both runs from the same round). On a shared machine the CPU ratio is the steadier one; the target verdicts use it and quote both.",
  )
  lines.push('')

  lines.push('## Results')
  lines.push('')
  lines.push(
    '| server | tokens | conns | RPS | p50 ms | p99 ms | server CPU µs/req | auth cost µs/req | × bare framework: RPS (CPU) | × best peer: RPS (CPU) | upstream calls / distinct token | valid rounds | RPS spread |',
  )
  lines.push('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
  for (const a of agg.values()) {
    const calls =
      a.info.mode === 'introspection' || (a.info.mode === 'hybrid' && a.case.token.startsWith('opaque'))
        ? a.case.token.endsWith('distinct')
          ? `${fmt(a.callsPerDistinct, 3)} (upstream p99 ${fmt(a.upstreamP99, 1)} ms, server-side p99 ${fmt(a.serverP99, 1)} ms)`
          : `${a.upstreamCalls} (1 token)`
        : '—'
    lines.push(
      `| ${a.info.label} | ${TOKEN_LABEL[/** @type {keyof typeof TOKEN_LABEL} */ (a.case.token)]} | ${a.case.connections} | ${fmt(a.rps)} | ${fmt(a.p50, 2)} | ${fmt(a.p99, 2)} | ${fmt(a.cpuPerReq)} | ${a.info.kind === 'bare' ? '—' : fmt(a.authCost)} | ${a.info.kind === 'bare' ? '1.00 ×' : `${ratio(a.vsBare)} (${ratio(a.vsBareCpu)})`} | ${a.info.kind === 'hydrakit' && a.bestPeer !== undefined ? `${ratio(a.vsPeer)} (${ratio(a.vsPeerCpu)}) vs ${peerName(scenarioInfo[a.bestPeer].label)}` : '—'} | ${calls} | ${a.validRuns}/${a.runs} | ${Number.isFinite(a.spread) ? `${(a.spread * 100).toFixed(0)} %` : '—'} |`,
    )
  }
  lines.push('')

  // ---- targets ----
  const targets = evaluateTargets(agg, checks, memory, opts, micro, paired, cold)
  lines.push('## Targets')
  lines.push('')
  lines.push('| # | target | measured | verdict |')
  lines.push('| --- | --- | --- | --- |')
  for (const t of targets)
    lines.push(
      `| ${t.id} | ${t.target} | ${t.measured} | ${t.ok === undefined ? 'n/a' : t.ok ? 'met' : '**not met**'} |`,
    )
  lines.push('')

  if (micro !== undefined) {
    lines.push('## Verify step, in process (micro benchmark)')
    lines.push('')
    lines.push(
      `One process pinned to CPU ${pinning?.server ?? '—'}. Each sample is at least ${micro.iterations} calls and ~${opts.mode === 'quick' ? 10 : 25} ms of work, awaited one after the other; ${micro.repeats} samples per operation, interleaved across operations; median and range shown. Same token shapes as above; the distinct pools are larger than the verifier's result cache.`,
    )
    lines.push('')
    lines.push('| operation | µs/op (median) | range µs | ops/s |')
    lines.push('| --- | ---: | ---: | ---: |')
    for (const row of micro.rows) {
      lines.push(
        `| ${row.name} | ${fmt(row.us, 1)} | ${fmt(row.min, 1)}–${fmt(row.max, 1)} | ${fmt(1e6 / row.us)} |`,
      )
    }
    lines.push('')
  }

  if (memory !== undefined) {
    lines.push('## Cache memory (T7)')
    lines.push('')
    lines.push(
      "Distinct tokens pushed through each bounded cache (default cap, entries shaped like the real ones: a frozen Hydra JWT profile holding the raw token; an introspection answer; the JWT cache keyed by the token's end and admitting every token, the introspection store by the token's SHA-256). Live heap = heap used after a full GC, checked every 100 000 tokens, bound = baseline heap + cap × bytes per entry + 20 %. Peak RSS is sampled every 10 000 tokens without forcing GC; evicted entries wait in V8's old generation for the next major GC, so the documented RSS bound is baseline RSS + cap × bytes per entry + 192 MB of GC headroom.",
    )
    lines.push('')
    lines.push(
      '| cache | tokens | entry cap | bytes / entry | live heap peak MB (bound) | peak RSS MB (bound) | RSS after GC per 100 k tokens, MB | within bounds |',
    )
    lines.push('| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |')
    const mb = (/** @type {number} */ v) => fmt(v / 2 ** 20, 1)
    for (const m of memory) {
      lines.push(
        `| ${m.cache} | ${m.tokens} | ${m.maxEntries} | ${fmt(m.entryBytes)} | ${mb(m.peakLiveHeap)} (${mb(m.liveBound)}) | ${mb(m.peakRss)} (${mb(m.bound)}) | ${m.trend.join(' ')} | ${m.ok ? 'yes' : '**no**'} |`,
      )
    }
    lines.push('')
  }

  if (cold !== undefined) {
    lines.push('## Cold start (T9)')
    lines.push('')
    lines.push(
      `\`await import(pkg)\` in a fresh Node ${cold.node} process, ${cold.runs} processes per package, packages interleaved; median, min and max in milliseconds, and whether the import loaded undici.`,
    )
    lines.push('')
    lines.push('| package | median ms | min–max ms | loads undici |')
    lines.push('| --- | ---: | ---: | --- |')
    for (const [name, r] of Object.entries(cold.results)) {
      const c = /** @type {any} */ (r)
      lines.push(
        `| ${name} | ${fmt(c.medianMs, 1)} | ${fmt(c.minMs, 1)}–${fmt(c.maxMs, 1)} | ${c.loadsUndici ? 'yes' : 'no'} |`,
      )
    }
    lines.push('')
  }

  lines.push('## Correctness gates')
  lines.push('')
  const failed = checks.filter((/** @type {any} */ c) => !c.ok)
  lines.push(
    `${checks.length - failed.length}/${checks.length} checks passed` +
      (failed.length === 0
        ? '.'
        : `; failed: ${failed.map((/** @type {any} */ c) => `${c.scenario}: ${c.check} (${c.detail})`).join('; ')}`),
  )
  lines.push('')

  const summary = targets
    .map((t) => `${t.id} ${t.ok === undefined ? 'n/a' : t.ok ? 'met' : 'NOT MET'}: ${t.measured}`)
    .join('\n')
  return {
    markdown: lines.join('\n'),
    data: {
      opts,
      env,
      pinning,
      elapsedSec,
      command,
      aggregates: [...agg.values()].map(({ info: _info, ...rest }) => rest),
      runs: Object.fromEntries(runs),
      checks,
      micro,
      memory,
      cold,
      notes,
      targets,
    },
    summary,
  }
}

/**
 * @param {Map<string, any>} agg
 * @param {any[]} checks
 * @param {any[] | undefined} memory
 * @param {any} opts
 * @param {any} micro
 * @param {(a: any, b: any, f: (x: any, y: any) => number) => number} paired
 * @param {any} cold
 */
function evaluateTargets(agg, checks, memory, opts, micro, paired, cold) {
  /** @param {string} id */
  const get = (id) => agg.get(id)
  /** @type {{ id: string, target: string, measured: string, ok: boolean | undefined }[]} */
  const out = []
  /** @param {any} a */
  const have = (a) => a !== undefined && a.validRuns > 0

  const both = (/** @type {number} */ rps, /** @type {number} */ cpu) =>
    `${ratio(rps)} by RPS, ${ratio(cpu)} by CPU`
  // The same framework with one pass-through middleware, in the same rounds: what any middleware
  // costs there, and hydrakit's own cost over it.
  const overLayer = (/** @type {any} */ a) => {
    const l = get(`layer-${a.info.framework}:hot:c${a.case.connections}`)
    if (!have(l)) return ''
    const over = paired(a, l, (x, y) => x.cpuPerReq - y.cpuPerReq)
    return ` (one pass-through middleware alone: ${ratio(l.vsBareCpu)} by CPU, ${fmt(l.authCost)} µs/req; hydrakit over it: ${fmt(over)} µs/req)`
  }
  const t1 = ['c10', 'c50'].map((c) => get(`hydrakit-express-jwt:hot:${c}`)).filter(have)
  out.push({
    id: 'T1',
    target: 'JWT, one hot token, Express: ≥ 0.95 × bare Express',
    measured:
      t1
        .map(
          (a) =>
            `${a.case.connections} conns: ${both(a.vsBare, a.vsBareCpu)} of bare, auth ${fmt(a.authCost)} µs/req${overLayer(a)}, best peer ${both(a.vsPeer, a.vsPeerCpu)}`,
        )
        .join('; ') || '—',
    ok: t1.length === 0 ? undefined : t1.every((a) => a.vsBareCpu >= 0.95),
  })
  const t2 = ['c10', 'c50'].map((c) => get(`hydrakit-koa-jwt:hot:${c}`)).filter(have)
  out.push({
    id: 'T2',
    target: 'JWT, one hot token, Koa: ≥ 0.90 × bare Koa',
    measured:
      t2
        .map(
          (a) =>
            `${a.case.connections} conns: ${both(a.vsBare, a.vsBareCpu)} of bare, auth ${fmt(a.authCost)} µs/req${overLayer(a)}; koa-jwt ${both(a.vsPeer, a.vsPeerCpu)}`,
        )
        .join('; ') || '—',
    ok: t2.length === 0 ? undefined : t2.every((a) => a.vsBareCpu >= 0.9),
  })
  const t3 = ['hydrakit-express-jwt', 'hydrakit-koa-jwt', 'hydrakit-fastify-jwt', 'hydrakit-hono-jwt']
    .map((s) => get(`${s}:distinct:c10`))
    .filter(have)
  const floor = get('floor-node-rs256:distinct:c10')
  const oauth2 = get('peer-oauth2-jwt-bearer:distinct:c10')
  const rawRow = micro?.rows.find((/** @type {any} */ r) => r.name.startsWith('node:crypto verify, RS256'))
  const fullRow = micro?.rows.find((/** @type {any} */ r) => r.name.includes('verifyNow, distinct RS256'))
  const rawRatio = rawRow !== undefined && fullRow !== undefined ? fullRow.us / rawRow.us : NaN
  // The floor's own auth cost per round: its CPU/req minus bare node:http's in the same round.
  const bareNode = get('bare-node:hot:c10')
  const floorCost =
    have(floor) && have(bareNode) ? paired(floor, bareNode, (x, y) => x.cpuPerReq - y.cpuPerReq) : NaN
  out.push({
    id: 'T3',
    target:
      'JWT, distinct tokens: auth cost in the server ≤ 1.3 × the raw floor (node:http + one RS256 crypto.verify, its own cost over bare node:http, same rounds)',
    measured:
      `raw floor: ${fmt(floorCost)} µs/req; ` +
      (t3
        .map((a) => {
          const express = a.info.framework === 'express4' && have(oauth2)
          const vs = express
            ? `, ${both(
                paired(a, oauth2, (x, y) => x.rps / y.rps),
                paired(a, oauth2, (x, y) => y.cpuPerReq / x.cpuPerReq),
              )} of express-oauth2-jwt-bearer`
            : ''
          return `${a.info.framework}: auth ${fmt(a.authCost)} µs/req = ${fmt(a.authCost / floorCost, 2)} × the floor${vs}`
        })
        .join('; ') || '—') +
      (Number.isFinite(rawRatio)
        ? `; in process: verifyNow on distinct tokens ${fmt(fullRow.us, 1)} µs = ${rawRatio.toFixed(2)} × the raw check (${fmt(rawRow.us, 1)} µs)`
        : ''),
    ok:
      t3.length === 0 || !Number.isFinite(floorCost)
        ? undefined
        : t3.every((a) => a.authCost <= 1.3 * floorCost),
  })
  const t4 = ['hydrakit-express-introspection', 'hydrakit-koa-introspection']
    .map((s) => get(`${s}:opaque-hot:c10`))
    .filter(have)
  out.push({
    id: 'T4',
    target: 'introspection, hot token, cache on: ≥ 0.90 × bare framework (Express and Koa)',
    measured:
      t4
        .map(
          (a) =>
            `${a.info.framework}: ${both(a.vsBare, a.vsBareCpu)} of bare, auth ${fmt(a.authCost)} µs/req${overLayer(a)}`,
        )
        .join('; ') || '—',
    ok: t4.length === 0 ? undefined : t4.every((a) => a.vsBareCpu >= 0.9),
  })
  const t5 = checks.filter((c) => c.check.startsWith('50 concurrent'))
  out.push({
    id: 'T5',
    target: 'introspection, 50 concurrent requests of one new token: exactly 1 upstream call',
    measured: t5.map((c) => `${c.scenario.replace('hydrakit-', '')}: ${c.detail}`).join('; ') || '—',
    ok: t5.length === 0 ? undefined : t5.every((c) => c.ok),
  })
  const t6 = [
    'hydrakit-express-introspection',
    'hydrakit-koa-introspection',
    'hydrakit-express-hybrid',
    'hydrakit-koa-hybrid',
  ]
    .map((s) => get(`${s}:opaque-distinct:c10`))
    .filter(have)
  const naive = get('naive-express-introspection:opaque-distinct:c10')
  const naiveCost = have(naive) ? naive.authCost : NaN
  out.push({
    id: 'T6',
    target: `introspection, a new token per request, ${opts.upstreamDelayMs} ms upstream, 10 connections: ≤ 1 call per distinct token; auth CPU per request ≤ the naive middleware's (undici.request + JSON.parse, no cache); p99 inside the server ≤ the upstream's own p99 + 3 ms`,
    measured:
      `naive: auth ${fmt(naiveCost)} µs/req, p99 inside the server ${fmt(naive?.serverP99 ?? NaN, 2)} ms; ` +
      (t6
        .map(
          (a) =>
            `${a.case.scenario.replace('hydrakit-', '')}: ${fmt(a.callsPerDistinct, 3)} calls/token, auth ${fmt(a.authCost)} µs/req (${fmt(a.authCost / naiveCost, 2)} × naive), p99 ${fmt(a.serverP99, 2)} ms inside the server, ${fmt(a.p99, 2)} ms at the client (upstream p99 ${fmt(a.upstreamP99, 2)} ms)`,
        )
        .join('; ') || '—'),
    ok:
      t6.length === 0
        ? undefined
        : t6.every(
            (a) =>
              a.callsPerDistinct <= 1 &&
              (!Number.isFinite(naiveCost) || a.authCost <= naiveCost) &&
              a.serverP99 <= Math.max(opts.upstreamDelayMs, a.upstreamP99) + 3,
          ),
  })
  out.push({
    id: 'T7',
    target:
      'memory: 1 000 000 distinct tokens through each cache stay under the documented bound (baseline + cap × entry size; RSS: + GC headroom)',
    measured:
      memory === undefined
        ? '—'
        : memory
            .map(
              (m) =>
                `${m.cache}: ${m.tokens} tokens, live heap ${fmt(m.peakLiveHeap / 2 ** 20, 1)} MB (bound ${fmt(m.liveBound / 2 ** 20, 1)}), peak RSS ${fmt(m.peakRss / 2 ** 20, 1)} MB (bound ${fmt(m.bound / 2 ** 20, 1)})`,
            )
            .join('; '),
    ok: memory === undefined ? undefined : memory.every((m) => m.ok),
  })
  const t8 = ['hydrakit-express-jwt', 'hydrakit-koa-jwt']
    .map((s) => [get(`${s}:invalid:c10`), get(`${s}:distinct:c10`)])
    .filter(([i, d]) => have(i) && have(d))
  const noUpstream = checks.filter((c) => c.check === 'invalid JWTs cause no upstream call')
  for (const [i, d] of t8) i.vsValid = paired(i, d, (x, y) => x.cpuPerReq / y.cpuPerReq)
  out.push({
    id: 'T8',
    target:
      'reject path: a wrongly signed JWT costs no more CPU than a valid one (5 % noise allowance); no refetch, no upstream call',
    measured:
      t8
        .map(
          ([i, d]) =>
            `${i.info.framework}: ${fmt(i.cpuPerReq)} vs ${fmt(d.cpuPerReq)} µs/req (paired ratio ${fmt(i.vsValid, 2)}), ${i.upstreamCalls + i.jwksCalls} upstream calls`,
        )
        .join('; ') + `; no-upstream gate ${noUpstream.filter((c) => c.ok).length}/${noUpstream.length}`,
    ok:
      t8.length === 0
        ? undefined
        : t8.every(([i]) => i.vsValid <= 1.05 && i.upstreamCalls + i.jwksCalls === 0) &&
          noUpstream.every((c) => c.ok),
  })
  const t10 = ['hydrakit-fastify-jwt', 'hydrakit-hono-jwt'].map((s) => get(`${s}:hot:c10`)).filter(have)
  out.push({
    id: 'T10',
    target:
      'JWT, one hot token, the newer adapters: ≥ 0.90 × their own bare framework (Fastify 5, Hono on @hono/node-server)',
    measured:
      t10
        .map(
          (a) =>
            `${a.info.framework}: ${both(a.vsBare, a.vsBareCpu)} of bare, auth ${fmt(a.authCost)} µs/req${overLayer(a)}`,
        )
        .join('; ') || '—',
    ok: t10.length === 0 ? undefined : t10.every((a) => a.vsBareCpu >= 0.9),
  })
  const coldOf = (/** @type {string} */ name) => cold?.results?.[name]?.medianMs
  const peerCold = coldOf('express-oauth2-jwt-bearer')
  const ours = ['@hydrakit/express', '@hydrakit/koa'].filter((n) => coldOf(n) !== undefined)
  out.push({
    id: 'T9',
    target: "cold start: `import('@hydrakit/express')` (and Koa) ≤ express-oauth2-jwt-bearer's import time",
    measured:
      cold === undefined
        ? '—'
        : `${ours.map((n) => `${n} ${fmt(coldOf(n), 1)} ms`).join(', ')} vs express-oauth2-jwt-bearer ${fmt(peerCold, 1)} ms (medians of ${cold.runs} fresh processes)`,
    ok: cold === undefined || peerCold === undefined ? undefined : ours.every((n) => coldOf(n) <= peerCold),
  })
  return out
}
