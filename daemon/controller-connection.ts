// Connects to a controller the way a node daemon does: TLS with the mesh root, the
// controller's serving name, and the node's bootstrap token.
import * as grpc from '@grpc/grpc-js';
import type { CertificateServiceClient } from '../api/generated/ambit/v1/CertificateService.js';
import { loadProtos } from '../api/protos.js';

export const CONTROLLER_SERVER_NAME = 'ambit-controller.istio-system.svc';

export function controllerCredentials(rootPem: string): { credentials: grpc.ChannelCredentials; channelOptions: grpc.ChannelOptions } {
  return {
    credentials: grpc.credentials.createSsl(Buffer.from(rootPem)),
    channelOptions: {
      'grpc.ssl_target_name_override': CONTROLLER_SERVER_NAME,
      'grpc.default_authority': CONTROLLER_SERVER_NAME,
      'grpc.max_receive_message_length': -1, // a full snapshot of a large mesh exceeds the 4 MiB default
    },
  };
}

export function caClient(address: string, rootPem: string): CertificateServiceClient {
  const { credentials, channelOptions } = controllerCredentials(rootPem);
  const { ca } = loadProtos();
  return new ca.ambit.v1.CertificateService(address, credentials, channelOptions);
}

export function requestCertificate(client: CertificateServiceClient, token: string, req: { csr: string; identity: string; validityDuration?: number }): Promise<string[]> {
  const md = new grpc.Metadata();
  md.set('authorization', `Bearer ${token}`);
  return new Promise((resolve, reject) => {
    client.CreateCertificate({ csr: req.csr, identity: req.identity, validityDuration: req.validityDuration ?? 0 }, md, (err, res) => {
      if (err) reject(err);
      else resolve(res?.certChain ?? []);
    });
  });
}
