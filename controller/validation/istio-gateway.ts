// Istio Gateway (networking.istio.io): semantics reference rule 96 (VAL ValidateGateway,
// validateServer, validateServerPort, validateTLSOptions).
import type { KubeObject } from '../config/resource.js';
import type { Field } from './field.js';
import { checkPortNumber } from './field-checks.js';
import { validateLabelMap } from './labels.js';
import { dns1123Label, wildcardDomain } from './names.js';
import { ipAddress } from './network.js';
import { istioProtocolProblem, isHttpProtocol, isTlsProtocol } from './protocols.js';

const SERVER_TLS_MODES = ['PASSTHROUGH', 'SIMPLE', 'MUTUAL', 'AUTO_PASSTHROUGH', 'ISTIO_MUTUAL', 'OPTIONAL_MUTUAL'] as const;

export function validateIstioGateway(obj: KubeObject, spec: Field): void {
  const nameErr = dns1123Label(obj.metadata.name);
  if (nameErr) spec.out.error('metadata.name', `invalid gateway name: ${nameErr}`);
  if (!spec.present) {
    spec.error('spec is required');
    return;
  }
  if (!spec.record()) return;
  spec.knownKeys(['servers', 'selector']);
  validateLabelMap(spec.key('selector'));
  const servers = spec.key('servers');
  if (servers.emptyList) servers.error('gateway must have at least one server');
  const portNames = new Set<string>();
  for (const server of servers.list() ?? []) {
    if (!server.present) {
      server.error('server may not be null');
      continue;
    }
    if (!server.record()) continue;
    server.knownKeys(['port', 'bind', 'hosts', 'tls', 'defaultEndpoint', 'name']);
    validateServerHosts(server.key('hosts'));
    const port = server.key('port');
    const protocol = validateServerPort(port, server.key('bind').string() ?? '');
    const pname = port.key('name').value;
    if (typeof pname === 'string' && pname !== '') {
      if (portNames.has(pname)) port.key('name').error(`port names in servers must be unique: duplicate name ${pname}`);
      portNames.add(pname);
    }
    validateBind(server.key('bind'), port);
    const tls = server.key('tls');
    validateServerTls(tls);
    if (protocol !== undefined) {
      if (isTlsProtocol(protocol) && !tls.present) tls.error('server must have TLS settings for HTTPS/TLS protocols');
      else if (!isTlsProtocol(protocol) && tls.present) {
        const onlyRedirect = isHttpProtocol(protocol) && Object.keys(tls.record() ?? {}).every((k) => k === 'httpsRedirect');
        if (isHttpProtocol(protocol) && !onlyRedirect) tls.error('server cannot have TLS settings for plain text HTTP ports (only httpsRedirect)');
        else if (!isHttpProtocol(protocol)) tls.error('server cannot have TLS settings for non HTTPS/TLS ports');
      }
      if (!isHttpProtocol(protocol) && tls.key('httpsRedirect').value === true) tls.key('httpsRedirect').warn('tls.httpsRedirect should only be used with http servers');
    }
  }
}

function validateServerHosts(f: Field): void {
  const hosts = f.strings() ?? [];
  if (f.emptyList) {
    f.error('server config must contain at least one host');
    return;
  }
  for (const { field, value } of hosts) {
    const slash = value.indexOf('/');
    const ns = slash < 0 ? undefined : value.slice(0, slash);
    const dns = slash < 0 ? value : value.slice(slash + 1);
    if (ns !== undefined && ns !== '*' && ns !== '.' && ns !== '~') {
      const err = ns === '' ? 'empty namespace' : dns1123Label(ns);
      if (err) field.error(`invalid namespace in host "${value}": ${err}`);
    }
    if (dns.includes('/')) field.error(`host "${value}" must be [namespace/]dnsName`);
    else if (dns !== '*') {
      const err = wildcardDomain(dns);
      if (err) field.error(err);
    }
  }
}

function validateServerPort(f: Field, bind: string): string | undefined {
  if (!f.present) {
    f.error('port is required');
    return undefined;
  }
  if (!f.record()) return undefined;
  f.knownKeys(['number', 'protocol', 'name', 'targetPort']);
  const unix = bind.startsWith('unix://');
  const num = f.key('number');
  if (!unix || (typeof num.value === 'number' && num.value > 0)) checkPortNumber(num, { required: true });
  if (f.key('targetPort').present) f.key('targetPort').error('targetPort has no impact on Gateways');
  const name = f.key('name').string();
  if (name === undefined || name === '') f.key('name').error('port name must be set');
  const protocol = f.key('protocol').requiredString();
  if (protocol === undefined) return undefined;
  const err = istioProtocolProblem(protocol);
  if (err) {
    f.key('protocol').error(err);
    return undefined;
  }
  return protocol;
}

function validateBind(f: Field, port: Field): void {
  const bind = f.string();
  if (bind === undefined || bind === '') return;
  if (bind.startsWith('unix://')) {
    const path = bind.slice('unix://'.length);
    if (!path.startsWith('@') && (!path.startsWith('/') || path.endsWith('/'))) f.error(`${path} is not an absolute path to a file`);
    const n = port.key('number').value;
    if (typeof n === 'number' && n !== 0) port.key('number').error('port number must be 0 for unix domain socket');
    return;
  }
  const err = ipAddress(bind);
  if (err) f.error(err);
}

function validateServerTls(f: Field): void {
  if (!f.record()) return;
  f.knownKeys([
    'httpsRedirect', 'mode', 'serverCertificate', 'privateKey', 'caCertificates', 'caCrl', 'credentialName', 'credentialNames',
    'tlsCertificates', 'subjectAltNames', 'verifyCertificateSpki', 'verifyCertificateHash', 'minProtocolVersion',
    'maxProtocolVersion', 'cipherSuites',
  ]);
  f.key('httpsRedirect').boolean();
  const mode = f.key('mode').present ? f.key('mode').oneOf(SERVER_TLS_MODES) : undefined;
  const str = (k: string): string => f.key(k).string() ?? '';
  if (mode === 'ISTIO_MUTUAL') {
    for (const k of ['serverCertificate', 'privateKey', 'caCertificates', 'credentialName']) {
      if (str(k) !== '') f.key(k).error(`ISTIO_MUTUAL TLS cannot have associated ${k}`);
    }
    return;
  }
  if ((mode === 'PASSTHROUGH' || mode === 'AUTO_PASSTHROUGH') && ['caCrl', 'serverCertificate', 'privateKey', 'caCertificates', 'credentialName'].some((k) => str(k) !== '')) {
    f.warn(`${mode} mode does not use certificates, they will be ignored`);
  }
  const hasCredential = str('credentialName') !== '' || f.key('credentialNames').size > 0 || f.key('tlsCertificates').size > 0;
  if ((mode === 'SIMPLE' || mode === 'MUTUAL' || mode === 'OPTIONAL_MUTUAL') && hasCredential) return;
  if (mode === 'SIMPLE' || mode === 'MUTUAL' || mode === 'OPTIONAL_MUTUAL') {
    if (str('serverCertificate') === '') f.key('serverCertificate').error(`${mode} TLS requires a server certificate (or credentialName)`);
    if (str('privateKey') === '') f.key('privateKey').error(`${mode} TLS requires a private key (or credentialName)`);
    if (mode !== 'SIMPLE' && str('caCertificates') === '') f.key('caCertificates').error(`${mode} TLS requires a client CA bundle`);
  }
}
