// PeerAuthentication (security.istio.io): semantics reference §2, rules 33-40
// (VAL ValidatePeerAuthentication plus the ambient notes as warnings).
import type { KubeObject } from '../config/resource.js';
import type { Field } from './field.js';
import { portString } from './network.js';
import type { ValidateOptions } from './options.js';
import { rootNamespaceOf } from './options.js';
import { validateWorkloadSelector } from './policy-scope.js';

export const MTLS_MODES = ['UNSET', 'DISABLE', 'PERMISSIVE', 'STRICT'] as const;

const DISABLE_WARNING = 'mode DISABLE is not supported in ambient mode: the node proxy ignores it (semantics rule 40)';

function validateMtls(f: Field): void {
  if (!f.record()) return;
  f.knownKeys(['mode']);
  const mode = f.key('mode').oneOf(MTLS_MODES);
  if (mode === 'DISABLE') f.key('mode').warn(DISABLE_WARNING);
}

export function validatePeerAuthentication(obj: KubeObject, spec: Field, opts?: ValidateOptions): void {
  if (spec.present && !spec.record()) return;
  spec.knownKeys(['selector', 'mtls', 'portLevelMtls']);
  const selField = spec.key('selector');
  const selector = validateWorkloadSelector(selField);
  const hasSelector = selector !== undefined && Object.keys(selector).length > 0;
  if (selField.present && (obj.metadata.namespace ?? '') === rootNamespaceOf(opts)) {
    selField.warn(`a PeerAuthentication with a selector in the root namespace (${rootNamespaceOf(opts)}) is ignored (semantics rule 34)`);
  }
  validateMtls(spec.key('mtls'));

  const plm = spec.key('portLevelMtls');
  if (!plm.present) return;
  const entries = plm.entries();
  if (!entries) return;
  if (entries.length === 0) {
    plm.error('port level mTLS, if defined, must have at least one element');
    return;
  }
  if (!hasSelector) plm.error('mesh/namespace peer authentication cannot have port level mTLS; set a non-empty selector');
  for (const [port, f] of entries) {
    const err = portString(port, 1);
    if (err) f.error(`portLevelMtls key: ${err}`);
    if (!f.present) {
      f.error('must be a mapping with a mode');
      continue;
    }
    validateMtls(f);
  }
}
