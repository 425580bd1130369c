// Gateway API GatewayClass (gateway.networking.k8s.io): controllerName format and
// parametersRef (GWAPI gatewayclass_types.go).
import type { KubeObject } from '../config/resource.js';
import type { Field } from './field.js';
import { checkGroup, checkNamespaceRef, checkObjectName } from './gateway-api-common.js';

const CONTROLLER_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/[A-Za-z0-9/\-._~%!$&'()*+,;=:]+$/;

export function validateGatewayClass(_obj: KubeObject, spec: Field): void {
  if (!spec.present) {
    spec.error('spec is required');
    return;
  }
  if (!spec.record()) return;
  spec.knownKeys(['controllerName', 'parametersRef', 'description']);
  const cn = spec.key('controllerName').requiredString();
  if (cn !== undefined && (cn.length > 253 || !CONTROLLER_NAME.test(cn))) {
    spec.key('controllerName').error(`"${cn}" is not a valid controller name (a domain-prefixed path such as istio.io/gateway-controller)`);
  }
  const desc = spec.key('description').string();
  if (desc !== undefined && desc.length > 64) spec.key('description').error('description must be at most 64 characters');
  const pr = spec.key('parametersRef');
  if (pr.record()) {
    pr.knownKeys(['group', 'kind', 'name', 'namespace']);
    checkGroup(pr.key('group'));
    pr.key('kind').requiredString();
    checkObjectName(pr.key('name'));
    checkNamespaceRef(pr.key('namespace'));
  }
}
