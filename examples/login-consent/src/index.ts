// The login/consent example as a library, so the demo can start it in-process.

export type { LoginConsentAppOptions } from './app.js'
export { createLoginConsentApp } from './app.js'
export type { StartLoginConsentAppOptions, RunningLoginConsentApp } from './start.js'
export { startLoginConsentApp } from './start.js'
export type { LoginConsentConfig } from './config.js'
export { readConfig } from './config.js'
export type { DemoUser, UserStore } from './users.js'
export { createDemoUserStore } from './users.js'
