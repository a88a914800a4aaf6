// Public API of @hydrakit/hydra-mock. NOT FOR PRODUCTION: an in-memory Hydra for development and tests.

export type {
  MockHydra,
  MockHydraRuntimeOptions,
  IssueTokenInput,
  IssuedTokens,
  RotatedKeys,
} from './server.js'
export { createMockHydra } from './server.js'

export type { MockHydraOptions, MockHydraTtl, HandledChallengeMode, PkceEnforcement } from './options.js'

export type { MockOperation, MockCallCounts, MockRequestRecord } from './operations.js'
export { MOCK_OPERATIONS } from './operations.js'

export type { OAuth2Client } from './store/client-model.js'
export type { IntrospectionResult } from './store/tokens.js'

export { ACCESS_TOKEN_SET, ID_TOKEN_SET } from './store/keys.js'
