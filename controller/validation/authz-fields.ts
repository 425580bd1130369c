// The list fields of AuthorizationPolicy `source` and `operation` and the per-value checks
// for each (semantics reference rules 11, 13-22 and 26 for which fields are HTTP-only).
import type { StringItem } from './field.js';
import { dns1123Label, dns1123Subdomain } from './names.js';
import { ipOrCidr, portString } from './network.js';
import { isPathTemplate, pathTemplateProblem } from './path-template.js';
import { authzMatchForm } from './string-match.js';

export interface ListFieldSpec {
  /** Dropped for TCP traffic (rule 26). */
  httpOnly: boolean;
  /** Derived from the peer or request identity (rejected with CUSTOM, rule 12). */
  identity: boolean;
  check?: (item: StringItem, name: string) => void;
}

const IP_CHECK = (item: StringItem): void => {
  const err = ipOrCidr(item.value);
  if (err) item.field.error(err);
};

const MATCH_FORM_CHECK = (item: StringItem, name: string): void => {
  if (authzMatchForm(item.value) === 'unsupported') {
    item.field.warn(`"${item.value}": ${name} support only exact, prefix ("abc*"), suffix ("*abc") and presence ("*") matches; other uses of "*" are matched literally or not at all`);
  }
};

const PRINCIPAL_CHECK = (item: StringItem, name: string): void => {
  if (item.value.startsWith('spiffe://')) {
    item.field.warn(`"${item.value}": principals are written without the spiffe:// prefix (<trust-domain>/ns/<ns>/sa/<sa>); this value never matches`);
  }
  MATCH_FORM_CHECK(item, name);
};

const NAMESPACE_CHECK = (item: StringItem): void => {
  if (authzMatchForm(item.value) === 'unsupported') {
    item.field.warn(`"${item.value}": the node proxy (ztunnel) supports only exact, prefix, suffix and presence matches for namespaces`);
  }
};

const SERVICE_ACCOUNT_CHECK = (item: StringItem): void => {
  const v = item.value;
  if (v.includes('*')) {
    item.field.error(`"${v}": wildcards are not allowed in serviceAccounts`);
    return;
  }
  const parts = v.split('/');
  if (parts.length > 2) {
    item.field.error(`"${v}": serviceAccounts take "<namespace>/<name>" or "<name>"`);
    return;
  }
  const name = parts[parts.length - 1] ?? '';
  const ns = parts.length === 2 ? (parts[0] ?? '') : undefined;
  const nsErr = ns === undefined ? undefined : ns === '' ? 'empty namespace' : dns1123Label(ns);
  const nameErr = name === '' ? 'empty name' : dns1123Subdomain(name);
  if (nsErr || nameErr) item.field.error(`"${v}": invalid service account reference: ${nsErr ?? nameErr ?? ''}`);
};

const PORT_CHECK = (item: StringItem): void => {
  const err = portString(item.value, 1);
  if (err) item.field.error(err);
};

const METHOD_CHECK = (item: StringItem, name: string): void => {
  if (item.value !== item.value.toUpperCase()) item.field.warn(`"${item.value}": methods are matched case-sensitively and HTTP methods are upper case`);
  MATCH_FORM_CHECK(item, name);
};

const PATH_CHECK = (item: StringItem): void => {
  const err = pathTemplateProblem(item.value);
  if (err) item.field.error(err);
  else if (!isPathTemplate(item.value) && authzMatchForm(item.value) === 'unsupported') {
    item.field.warn(`"${item.value}": paths support exact, prefix ("/a*"), suffix ("*.png"), presence ("*") and {*}/{**} templates; other uses of "*" are literal`);
  }
};

function both(name: string, spec: ListFieldSpec): [string, ListFieldSpec][] {
  const not = `not${name[0]?.toUpperCase() ?? ''}${name.slice(1)}`;
  return [
    [name, spec],
    [not, spec],
  ];
}

export const SOURCE_FIELDS = new Map<string, ListFieldSpec>([
  ...both('principals', { httpOnly: false, identity: true, check: PRINCIPAL_CHECK }),
  ...both('requestPrincipals', { httpOnly: true, identity: true, check: MATCH_FORM_CHECK }),
  ...both('namespaces', { httpOnly: false, identity: true, check: NAMESPACE_CHECK }),
  ...both('serviceAccounts', { httpOnly: false, identity: true, check: SERVICE_ACCOUNT_CHECK }),
  ...both('trustDomains', { httpOnly: false, identity: true, check: MATCH_FORM_CHECK }),
  ...both('ipBlocks', { httpOnly: false, identity: false, check: IP_CHECK }),
  ...both('remoteIpBlocks', { httpOnly: true, identity: false, check: IP_CHECK }),
]);

export const OPERATION_FIELDS = new Map<string, ListFieldSpec>([
  ...both('hosts', { httpOnly: true, identity: false, check: MATCH_FORM_CHECK }),
  ...both('ports', { httpOnly: false, identity: false, check: PORT_CHECK }),
  ...both('methods', { httpOnly: true, identity: false, check: METHOD_CHECK }),
  ...both('paths', { httpOnly: true, identity: false, check: PATH_CHECK }),
]);
