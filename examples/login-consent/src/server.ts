import { readConfig } from './config.js'
import { startLoginConsentApp } from './start.js'

const config = readConfig(process.env)
if (config.generatedSecret) console.warn('CSRF_SECRET not set: using a random secret for this process only')
const app = await startLoginConsentApp({
  hydraAdminUrl: config.hydraAdminUrl,
  hydraPublicUrl: config.hydraPublicUrl,
  hydraApiVersion: config.hydraApiVersion,
  csrfSecret: config.csrfSecret,
  port: config.port,
})
console.log(`login-consent listening on ${app.url}`)
console.log(`  Hydra urls.login=${app.loginUrl} urls.consent=${app.consentUrl} urls.logout=${app.logoutUrl}`)
console.log('  demo user: foo@bar.com / foobar')
const stop = (): void => {
  void app.close()
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
