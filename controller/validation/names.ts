// Name formats: Kubernetes object names, label keys/values, port names, DNS hosts
// (Istio's wildcard-domain rules) and HTTP header names. Each check returns an error
// message, or undefined when the value is valid.

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** Istio's host labels accept upper case (hosts are case-insensitive). */
const HOST_LABEL = /^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/;
/** First label of a wildcard domain: `*`, `*foo`, `*-foo` or a plain label (istio labels.wildcardPrefix). */
const WILDCARD_FIRST_LABEL = /^(\*|(\*|\*-)?[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?)$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const IANA_SVC_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
/** Istio: header names used in matches and JWT outputs (optional leading ':' for pseudo-headers). */
const ISTIO_HEADER_NAME = /^:?[-_A-Za-z0-9]+$/;
/** RFC 7230 token, as Gateway API's HTTPHeaderName. */
const HTTP_TOKEN = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;

export function dns1123Label(s: string): string | undefined {
  if (s.length > 63) return `"${s}" must be no more than 63 characters (DNS-1123 label)`;
  if (!DNS1123_LABEL.test(s)) return `"${s}" is not a valid DNS-1123 label (lower case alphanumerics and '-', starting and ending with an alphanumeric)`;
  return undefined;
}

export function dns1035Label(s: string): string | undefined {
  if (s.length > 63) return `"${s}" must be no more than 63 characters (DNS-1035 label)`;
  if (!DNS1035_LABEL.test(s)) return `"${s}" is not a valid DNS-1035 label (lower case alphanumerics and '-', starting with a letter and ending with an alphanumeric)`;
  return undefined;
}

export function dns1123Subdomain(s: string): string | undefined {
  if (s.length > 253) return `"${s}" must be no more than 253 characters (DNS-1123 subdomain)`;
  if (!DNS1123_SUBDOMAIN.test(s)) return `"${s}" is not a valid DNS-1123 subdomain (lower case alphanumerics, '-' and '.', starting and ending with an alphanumeric)`;
  return undefined;
}

/** Kubernetes qualified name: `[prefix/]name` (label and annotation keys). */
export function qualifiedName(s: string): string | undefined {
  const parts = s.split('/');
  if (parts.length > 2) return `"${s}" must be a qualified name ([prefix/]name) with at most one '/'`;
  const name = parts[parts.length - 1] ?? '';
  if (parts.length === 2) {
    const prefix = parts[0] ?? '';
    if (prefix === '') return `"${s}" has an empty prefix`;
    const err = dns1123Subdomain(prefix);
    if (err) return `prefix of "${s}": ${err}`;
  }
  if (name === '') return `"${s}" has an empty name part`;
  if (name.length > 63) return `name part of "${s}" must be no more than 63 characters`;
  if (!LABEL_NAME.test(name)) return `"${s}" is not a valid qualified name (alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric)`;
  return undefined;
}

export function labelValue(s: string): string | undefined {
  if (s.length > 63) return `label value "${s}" must be no more than 63 characters`;
  if (!LABEL_VALUE.test(s)) return `"${s}" is not a valid label value (alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric)`;
  return undefined;
}

/** IANA_SVC_NAME: named container/target ports (max 15 chars, at least one letter, no '--'). */
export function ianaSvcName(s: string): string | undefined {
  if (s.length === 0 || s.length > 15) return `"${s}" must be 1-15 characters (IANA_SVC_NAME)`;
  if (!IANA_SVC_NAME.test(s)) return `"${s}" must contain only lower case alphanumerics and '-', starting and ending with an alphanumeric (IANA_SVC_NAME)`;
  if (s.includes('--')) return `"${s}" must not contain consecutive hyphens (IANA_SVC_NAME)`;
  if (!/[a-z]/.test(s)) return `"${s}" must contain at least one letter (IANA_SVC_NAME)`;
  return undefined;
}

/** Istio ValidateFQDN: a DNS name without wildcards; a trailing dot is allowed; TLD not all-numeric. */
export function fqdn(s: string): string | undefined {
  if (s === '') return 'empty domain name not allowed';
  if (s.length > 255) return `domain name "${s}" too long (max 255)`;
  return dnsLabels(s);
}

function dnsLabels(domain: string): string | undefined {
  const parts = domain.split('.');
  const tld = parts[parts.length - 1] ?? '';
  if (/^\d+$/.test(tld)) return `domain name "${domain}" invalid (top level domain "${tld}" cannot be all-numeric)`;
  for (let i = 0; i < parts.length; i++) {
    const label = parts[i] ?? '';
    if (i === parts.length - 1 && label === '' && i > 0) return undefined;
    if (label.length > 63 || !HOST_LABEL.test(label)) return `domain name "${domain}" invalid (label "${label}" invalid)`;
  }
  return undefined;
}

/** Istio ValidateWildcardDomain: a DNS name whose first label may be a wildcard (`*`, `*.x`, `*x`). */
export function wildcardDomain(s: string): string | undefined {
  if (s === '') return 'empty domain name not allowed';
  if (s.length > 255) return `domain name "${s}" too long (max 255)`;
  const dot = s.indexOf('.');
  const first = dot < 0 ? s : s.slice(0, dot);
  if (first.length > 63 || !WILDCARD_FIRST_LABEL.test(first)) return `domain name "${s}" invalid (label "${first}" invalid)`;
  if (dot < 0) return undefined;
  return dnsLabels(s.slice(dot + 1));
}

/** A wildcard that is not a whole label (`*foo.com`) matches inconsistently; Istio warns about it. */
export function isPartialWildcard(s: string): boolean {
  return s.startsWith('*') && s !== '*' && !s.startsWith('*.');
}

export function isWildcardHost(s: string): boolean {
  return s.startsWith('*');
}

/** Istio host matching: does wildcard-aware host `a` cover host `b` (or vice versa)? Used for overlap checks. */
export function hostsOverlap(a: string, b: string): boolean {
  const la = a.toLowerCase();
  const lb = b.toLowerCase();
  if (la === lb) return true;
  const covers = (wild: string, other: string): boolean => {
    if (!wild.startsWith('*')) return false;
    const suffix = wild.slice(1);
    if (other.startsWith('*')) return other.slice(1).endsWith(suffix);
    return other.endsWith(suffix);
  };
  return covers(la, lb) || covers(lb, la);
}

/** True when host `sub` is covered by (a subset of) host `sup`. */
export function hostSubsetOf(sub: string, sup: string): boolean {
  const a = sub.toLowerCase();
  const b = sup.toLowerCase();
  if (a === b) return true;
  if (!b.startsWith('*')) return false;
  const suffix = b.slice(1);
  if (a.startsWith('*')) return a.slice(1).endsWith(suffix);
  return a.endsWith(suffix);
}

export function istioHeaderName(s: string): string | undefined {
  if (s === '') return 'header name cannot be empty';
  if (!ISTIO_HEADER_NAME.test(s)) return `header name "${s}" is not a valid header name`;
  return undefined;
}

export function httpHeaderToken(s: string): string | undefined {
  if (s === '') return 'header name cannot be empty';
  if (s.length > 256) return `header name "${s}" is longer than 256 characters`;
  if (!HTTP_TOKEN.test(s)) return `"${s}" is not a valid HTTP header name`;
  return undefined;
}

/** Gateway API Hostname: precise or `*.`-prefixed wildcard DNS name, lower case, no IP, no port. */
export function gatewayApiHostname(s: string): string | undefined {
  if (s === '' || s.length > 253) return `hostname "${s}" must be 1-253 characters`;
  if (!/^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(s)) {
    return `"${s}" is not a valid hostname (lower case DNS name, optionally prefixed by "*.")`;
  }
  if (/^[0-9.]+$/.test(s)) return `hostname "${s}" must not be an IP address`;
  return undefined;
}
