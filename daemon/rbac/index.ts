// L4 authorization for the node daemon (istio-semantics §1–2, ztunnel rbac.rs +
// state.rs assert_rbac): compile the state's policies once per change, decide per connection.
export type { Connection } from './connection.js';
export type { Decision, DryRunReport } from './decision.js';
export type { CompiledPolicies, PolicyBucket } from './compiled-policies.js';
export type { CompiledPolicy } from './compiled-policy.js';
export type { DestinationWorkload } from './authorize.js';
export { compilePolicies } from './compiled-policies.js';
export { authorize } from './authorize.js';
