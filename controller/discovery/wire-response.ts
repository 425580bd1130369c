// Discovery responses encoded once per resource, not once per daemon: a resource's
// protobuf bytes are made the first time any session sends it and reused by every other
// session and every snapshot (the publisher keeps unchanged resource objects, so the
// object identifies the version). A response is its envelope (version, nonce, flags,
// removals) followed by the cached `resources` entries: protobuf decoders read repeated
// fields wherever they appear, so the bytes decode to the very message grpc-js would
// have built. With N daemons a change costs one encoding plus N copies.
import type { ServiceDefinition } from '@grpc/grpc-js';
import type { ModelResource } from '../../api/model.js';
import type { DiscoveryResponse } from '../../api/generated/ambit/v1/DiscoveryResponse.js';
import { encodeResource } from './codec.js';

export type SerializeResponse = (message: DiscoveryResponse) => Buffer;

export class ResponseEncoder {
  /** By resource object; the name is kept too, as the bytes carry it. */
  private readonly entries = new WeakMap<object, { name: string; bytes: Buffer }>();

  constructor(private readonly serialize: SerializeResponse) {}

  /** The bytes of `r` as one `resources` entry (field 4), made once per resource object. */
  entry(r: ModelResource): Buffer {
    const known = this.entries.get(r.value);
    if (known !== undefined && known.name === r.name) return known.bytes;
    const bytes = this.serialize({ resources: [encodeResource(r)] });
    this.entries.set(r.value, { name: r.name, bytes });
    return bytes;
  }

  /** The whole response: `envelope` (which must carry no resources) and then `resources`. */
  encode(envelope: Omit<DiscoveryResponse, 'resources'>, resources: readonly ModelResource[]): Buffer {
    const parts = [this.serialize(envelope)];
    for (const r of resources) parts.push(this.entry(r));
    return Buffer.concat(parts);
  }
}

/**
 * The Discovery service definition with a response serializer that passes bytes made by
 * a ResponseEncoder through untouched (and serializes message objects as before).
 */
export function acceptingEncodedResponses(service: ServiceDefinition): ServiceDefinition {
  return Object.fromEntries(Object.entries(service).map(([name, method]) => {
    const serialize = method.responseSerialize;
    return [name, { ...method, responseSerialize: (value: unknown) => (Buffer.isBuffer(value) ? value : serialize(value)) }];
  }));
}
