// @hydrakit/core/authorization-server: what hydrakit reads from an authorization server other than
// Hydra, as standalone pieces: issuer metadata discovery (RFC 8414 / OpenID Connect Discovery) and
// the classifiers of RFC 7662 introspection answers. The verifiers use them on their own; import
// them to share a resolver between verifiers, check a server at startup, or test a setup.
// Explicit named re-exports only.

export type { DiscoveryErrorCode } from '../discovery/discovery-error.js'
export { DiscoveryError } from '../discovery/discovery-error.js'
export type { IssuerMetadata } from '../discovery/metadata.js'
export type {
  DiscoveryFetch,
  DiscoveryResponse,
  IssuerMetadataResolver,
  IssuerMetadataResolverOptions,
} from '../discovery/resolver.js'
export { createIssuerMetadataResolver } from '../discovery/resolver.js'
export type { DiscoveryDocument } from '../discovery/well-known.js'
export type {
  IntrospectedTokenClass,
  IntrospectedTokenEvidence,
  IntrospectedTokenKind,
} from '../introspection/token-kind.js'
export { classifyIntrospectedToken } from '../introspection/token-kind.js'
export type {
  IntrospectionFailureClass,
  IntrospectionFailureOutcome,
  IntrospectionFailureReason,
} from '../introspection/upstream-error.js'
export { classifyIntrospectionFailure } from '../introspection/upstream-error.js'
