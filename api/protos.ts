// Loads the .proto files at run time for @grpc/grpc-js (the only place that does).
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import * as protoLoader from '@grpc/proto-loader';
import * as grpc from '@grpc/grpc-js';
import type { ProtoGrpcType as DiscoveryProto } from './generated/discovery.js';
import type { ProtoGrpcType as CaProto } from './generated/ca.js';

const here = path.dirname(fileURLToPath(import.meta.url));
// Works from the source tree (api/) and from the build output (dist/api/).
export const PROTO_DIR = path.resolve(here, here.includes(`${path.sep}dist${path.sep}`) ? '../../api/proto' : 'proto');

const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [PROTO_DIR],
};

let cached: { discovery: DiscoveryProto; ca: CaProto } | undefined;

export function loadProtos(): { discovery: DiscoveryProto; ca: CaProto } {
  if (!cached) {
    const discoveryDef = protoLoader.loadSync('ambit/v1/discovery.proto', LOADER_OPTIONS);
    const caDef = protoLoader.loadSync('ambit/v1/ca.proto', LOADER_OPTIONS);
    cached = {
      discovery: grpc.loadPackageDefinition(discoveryDef) as unknown as DiscoveryProto,
      ca: grpc.loadPackageDefinition(caDef) as unknown as CaProto,
    };
  }
  return cached;
}
