// Telemetry (telemetry.istio.io): semantics reference rule 100 (VAL ValidateTelemetry).
// The "one selector-less Telemetry per namespace" rule is cross-resource: see cross-checks.ts.
import type { KubeObject } from '../config/resource.js';
import type { Field } from './field.js';
import { checkDuration } from './field-checks.js';
import { GATEWAY_TARGET, SERVICE_ENTRY_TARGET, SERVICE_TARGET, validatePolicyScope } from './policy-scope.js';

const MODES = ['CLIENT_AND_SERVER', 'CLIENT', 'SERVER'] as const;
const METRICS = [
  'ALL_METRICS', 'REQUEST_COUNT', 'REQUEST_DURATION', 'REQUEST_SIZE', 'RESPONSE_SIZE', 'TCP_OPENED_CONNECTIONS',
  'TCP_CLOSED_CONNECTIONS', 'TCP_SENT_BYTES', 'TCP_RECEIVED_BYTES', 'GRPC_REQUEST_MESSAGES', 'GRPC_RESPONSE_MESSAGES',
] as const;

export function validateTelemetry(_obj: KubeObject, spec: Field): void {
  if (spec.present && !spec.record()) return;
  spec.knownKeys(['selector', 'targetRef', 'targetRefs', 'tracing', 'metrics', 'accessLogging']);
  validatePolicyScope(spec, [SERVICE_TARGET, SERVICE_ENTRY_TARGET, GATEWAY_TARGET]);

  const tracing = spec.key('tracing').list() ?? [];
  if (tracing.length > 1) spec.key('tracing').warn('multiple tracing is not currently supported');
  for (const t of tracing) {
    if (!t.record()) continue;
    t.knownKeys(['match', 'providers', 'randomSamplingPercentage', 'disableSpanReporting', 'customTags', 'useRequestIdForTraceSampling', 'enableIstioTags']);
    validateMatch(t.key('match'));
    if (t.key('providers').size > 1) t.key('providers').warn('multiple providers is not currently supported');
    validateProviders(t.key('providers'));
    const pct = t.key('randomSamplingPercentage').number();
    if (pct !== undefined && (pct < 0 || pct > 100)) t.key('randomSamplingPercentage').error('randomSamplingPercentage must be in range [0.0, 100.0]');
    t.key('disableSpanReporting').boolean();
    for (const [name, tag] of t.key('customTags').entries() ?? []) {
      if (name === '') tag.error('tag name may not be empty');
      if (!tag.present) {
        tag.error(`tag '${name}' may not have a nil value`);
        continue;
      }
      if (!tag.record()) continue;
      tag.knownKeys(['literal', 'environment', 'header']);
      const kinds = ['literal', 'environment', 'header'].filter((k) => tag.key(k).present);
      if (kinds.length !== 1) tag.error('exactly one of literal, environment or header must be set');
      if (tag.key('literal').present && (tag.key('literal').key('value').string() ?? '') === '') tag.key('literal').key('value').error('literal tag value may not be empty');
      if (tag.key('header').present && (tag.key('header').key('name').string() ?? '') === '') tag.key('header').key('name').error('header tag name may not be empty');
      if (tag.key('environment').present && (tag.key('environment').key('name').string() ?? '') === '') tag.key('environment').key('name').error('environment tag name may not be empty');
    }
  }

  for (const m of spec.key('metrics').list() ?? []) {
    if (!m.record()) continue;
    m.knownKeys(['providers', 'overrides', 'reportingInterval']);
    validateProviders(m.key('providers'));
    if (m.key('reportingInterval').present) checkDuration(m.key('reportingInterval'));
    for (const o of m.key('overrides').list() ?? []) {
      if (!o.present) {
        o.error('overrides may not be null');
        continue;
      }
      if (!o.record()) continue;
      o.knownKeys(['match', 'disabled', 'tagOverrides']);
      o.key('disabled').boolean();
      const match = o.key('match');
      if (match.record()) {
        match.knownKeys(['metric', 'customMetric', 'mode']);
        if (match.key('metric').present && match.key('customMetric').present) match.error('only one of metric or customMetric may be set');
        if (match.key('metric').present) match.key('metric').oneOf(METRICS);
        if (match.key('customMetric').present && (match.key('customMetric').string() ?? '') === '') match.key('customMetric').error('customMetric may not be empty');
        if (match.key('mode').present) match.key('mode').oneOf(MODES);
      }
      for (const [name, to] of o.key('tagOverrides').entries() ?? []) {
        if (name === '') to.warn('tagOverrides name may not be empty');
        if (!to.present) {
          to.error('tagOverrides may not be null');
          continue;
        }
        if (!to.record()) continue;
        to.knownKeys(['operation', 'value']);
        const op = to.key('operation').present ? to.key('operation').oneOf(['UPSERT', 'REMOVE']) : 'UPSERT';
        const value = to.key('value').string() ?? '';
        if (op === 'UPSERT' && value === '') to.key('value').error('tagOverrides.value must be set when operation is UPSERT');
        if (op === 'REMOVE' && value !== '') to.key('value').error('tagOverrides.value may only be set when operation is UPSERT');
      }
    }
  }

  for (const l of spec.key('accessLogging').list() ?? []) {
    if (!l.record()) continue;
    l.knownKeys(['match', 'providers', 'disabled', 'filter']);
    validateMatch(l.key('match'));
    validateProviders(l.key('providers'));
    l.key('disabled').boolean();
    const filter = l.key('filter');
    if (filter.record()) {
      filter.knownKeys(['expression']);
      filter.key('expression').string();
    }
  }
}

function validateMatch(f: Field): void {
  if (!f.record()) return;
  f.knownKeys(['mode']);
  if (f.key('mode').present) f.key('mode').oneOf(MODES);
}

function validateProviders(f: Field): void {
  for (const p of f.list() ?? []) {
    if (!p.record()) {
      if (!p.present) p.error('providers.name may not be empty');
      continue;
    }
    p.knownKeys(['name']);
    const name = p.key('name').string();
    if (name === undefined || name === '') p.key('name').error('providers.name may not be empty');
  }
}
