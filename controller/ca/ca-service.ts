// gRPC CertificateService.CreateCertificate: authenticate the caller, check that it may
// hold the requested identity (a node daemon: a pod of that service account runs on its
// node; a workload caller: its own service account only), then sign. AmbitError codes map to
// gRPC status codes; every refusal is counted by reason.
import * as grpc from '@grpc/grpc-js';
import { Counter, type Registry } from 'prom-client';
import { AmbitError, isAmbitError, type ErrorCode } from '../../api/errors.js';
import { spiffeUri, type Identity } from '../../api/identity.js';
import { silentLogger, type Logger } from '../../api/log.js';
import { loadProtos } from '../../api/protos.js';
import type { CertificateRequest__Output } from '../../api/generated/ambit/v1/CertificateRequest.js';
import type { CertificateResponse } from '../../api/generated/ambit/v1/CertificateResponse.js';
import type { CertificateServiceHandlers } from '../../api/generated/ambit/v1/CertificateService.js';
import type { CallerIdentity } from '../auth/authenticator.js';

/** What the service needs from the CA (CertificateAuthority satisfies it). */
export interface CaSigner {
  checkIdentity(identity: string): Identity;
  sign(csrPem: string, identity: Identity, ttlSeconds?: number): string[];
}

export interface CaServiceDeps {
  ca: CaSigner;
  /** The caller; throws AmbitError AMBIT_ERR_UNAUTHENTICATED when it has no valid credentials. */
  authenticate(metadata: grpc.Metadata): Promise<CallerIdentity>;
  /** Node-scoped authorization of node callers: does some pod of identity's ns/SA run on `node`? */
  mayHaveIdentity(node: string, identity: Identity): boolean | Promise<boolean>;
  registry: Registry;
  logger?: Logger;
}

export type RefusalReason = 'unauthenticated' | 'not_authorized' | 'csr_invalid' | 'ttl' | 'internal';

const STATUS: Partial<Record<ErrorCode, { status: grpc.status; reason: RefusalReason }>> = {
  AMBIT_ERR_UNAUTHENTICATED: { status: grpc.status.UNAUTHENTICATED, reason: 'unauthenticated' },
  AMBIT_ERR_CA_NOT_AUTHORIZED: { status: grpc.status.PERMISSION_DENIED, reason: 'not_authorized' },
  AMBIT_ERR_CSR_INVALID: { status: grpc.status.INVALID_ARGUMENT, reason: 'csr_invalid' },
  AMBIT_ERR_CA_TTL: { status: grpc.status.INVALID_ARGUMENT, reason: 'ttl' },
};

export function createCaService(deps: CaServiceDeps): CertificateServiceHandlers {
  const log = deps.logger ?? silentLogger();
  const issued = counter(deps.registry, 'ambit_ca_certificates_issued_total', 'Workload certificates issued', []);
  const refused = counter(deps.registry, 'ambit_ca_requests_refused_total', 'Certificate requests refused, by reason', ['reason']);

  async function handle(req: CertificateRequest__Output, metadata: grpc.Metadata): Promise<{ chain: string[]; node: string }> {
    const caller = await deps.authenticate(metadata);
    const { node } = caller;
    const identity = deps.ca.checkIdentity(req.identity);
    const sa = caller.serviceAccount;
    if (sa) {
      if (identity.namespace !== sa.namespace || identity.serviceAccount !== sa.name) {
        throw new AmbitError('AMBIT_ERR_CA_NOT_AUTHORIZED',
          `service account ${sa.namespace}/${sa.name} may only have its own identity, not ${spiffeUri(identity)}`);
      }
    } else if (!(await deps.mayHaveIdentity(node, identity))) {
      throw new AmbitError('AMBIT_ERR_CA_NOT_AUTHORIZED',
        `node ${node} may not have identity ${spiffeUri(identity)}: no pod of service account ` +
        `${identity.namespace}/${identity.serviceAccount} is scheduled on it`);
    }
    return { chain: deps.ca.sign(req.csr, identity, req.validityDuration), node };
  }

  return {
    CreateCertificate(call: grpc.ServerUnaryCall<CertificateRequest__Output, CertificateResponse>,
      callback: grpc.sendUnaryData<CertificateResponse>): void {
      handle(call.request, call.metadata).then(({ chain, node }) => {
        issued.inc();
        log.debug({ node, identity: call.request.identity }, 'certificate issued');
        callback(null, { certChain: chain });
      }, (err: unknown) => {
        const mapped = isAmbitError(err) ? STATUS[err.code] : undefined;
        const reason = mapped?.reason ?? 'internal';
        refused.inc({ reason });
        if (mapped) {
          log.info({ identity: call.request.identity, reason, code: (err as AmbitError).code, err: (err as Error).message },
            'certificate request refused');
          callback({ code: mapped.status, details: (err as Error).message });
        } else {
          log.error({ err, identity: call.request.identity }, 'certificate request failed');
          const details = isAmbitError(err) ? err.message : 'internal error while signing';
          callback({ code: grpc.status.INTERNAL, details });
        }
      });
    },
  };
}

/** Serve `deps` as ambit.v1.CertificateService on `server`. */
export function addCaService(server: grpc.Server, deps: CaServiceDeps): void {
  server.addService(loadProtos().ca.ambit.v1.CertificateService.service, createCaService(deps));
}

function counter(registry: Registry, name: string, help: string, labelNames: string[]): Counter {
  // Re-use on a second service over the same registry instead of throwing.
  const existing = registry.getSingleMetric(name);
  if (existing instanceof Counter) return existing;
  return new Counter({ name, help, labelNames, registers: [registry] });
}
