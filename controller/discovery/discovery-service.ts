// The Discovery gRPC service: authenticates each daemon, checks the node it claims is
// the node its credentials belong to, then runs a DiscoverySession on the stream.
import * as grpc from '@grpc/grpc-js';
import type { DiscoveryHandlers } from '../../api/generated/ambit/v1/Discovery.js';
import type { Logger } from '../../api/log.js';
import { isAmbitError } from '../../api/errors.js';
import type { Authenticator } from '../auth/authenticator.js';
import { authenticateCall } from '../auth/authenticator.js';
import type { ControllerMetrics } from '../metrics.js';
import type { ModelPublisher } from './publisher.js';
import { DiscoverySession } from './session.js';
import type { ResponseEncoder } from './wire-response.js';

export interface DiscoveryServiceDeps {
  publisher: ModelPublisher;
  authenticator: Authenticator;
  log: Logger;
  metrics: ControllerMetrics;
  /** Encodes each resource once for every session (the service must be acceptingEncodedResponses). */
  encoder: ResponseEncoder;
  /** Live sessions, for status and tests. */
  sessions?: Set<DiscoverySession>;
}

export function discoveryHandlers(deps: DiscoveryServiceDeps): DiscoveryHandlers {
  const sessions = deps.sessions ?? new Set<DiscoverySession>();
  return {
    Stream(call) {
      let session: DiscoverySession | undefined;
      let node: string | undefined;
      let failed = false;
      const fail = (code: grpc.status, details: string): void => {
        if (failed) return;
        failed = true;
        deps.log.warn({ code: grpc.status[code], details }, 'discovery stream refused');
        call.emit('error', { code, details, name: 'Error', message: details });
      };
      const auth = authenticateCall(deps.authenticator, call.metadata).then((id) => { node = id.node; }, (err: unknown) => {
        fail(grpc.status.UNAUTHENTICATED, isAmbitError(err) ? err.message : 'authentication failed');
      });

      call.on('data', (req: Parameters<DiscoverySession['onRequest']>[0]) => {
        void auth.then(() => {
          if (failed || node === undefined) return;
          if (!session) {
            if (req.node !== node) {
              fail(grpc.status.PERMISSION_DENIED, `credentials are for node ${node}, not ${JSON.stringify(req.node)}`);
              return;
            }
            session = new DiscoverySession(node, call, {
              onAck: () => deps.metrics.xdsPushes.inc({ type: 'acked' }),
              onNack: (n, version, detail) => {
                deps.metrics.xdsNacks.inc({ node: n });
                deps.log.warn({ code: 'AMBIT_ERR_NACK', node: n, version, detail }, 'daemon rejected an update');
              },
            }, deps.log, deps.encoder);
            sessions.add(session);
            deps.metrics.xdsClients.set(sessions.size);
            deps.log.info({ node }, 'daemon connected');
            session.sendSnapshot(deps.publisher.snapshot());
            deps.publisher.subscribe(session);
            deps.metrics.xdsPushes.inc({ type: 'snapshot' });
            return;
          }
          session.onRequest(req);
        });
      });
      const end = (): void => {
        if (session) {
          deps.publisher.unsubscribe(session);
          session.close();
          sessions.delete(session);
          deps.metrics.xdsClients.set(sessions.size);
          deps.log.info({ node: session.node }, 'daemon disconnected');
          session = undefined;
        }
      };
      call.on('end', () => { end(); call.end(); });
      call.on('cancelled', end);
      call.on('error', end);
      call.on('close', end);
    },
  };
}
