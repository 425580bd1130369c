// X.500 distinguished names: one attribute per RDN, UTF8String values.
import { seq, set, oid, utf8, type Asn1 } from './asn1.js';
import { OID } from './oids.js';

export interface NameSpec {
  organization?: string;
  commonName?: string;
}

/** Name node; `{}` gives the empty name workload certificates carry (identity is in the SAN). */
export function buildName(spec: NameSpec): Asn1 {
  const rdns: Asn1[] = [];
  if (spec.organization !== undefined) rdns.push(set(seq(oid(OID.organization), utf8(spec.organization))));
  if (spec.commonName !== undefined) rdns.push(set(seq(oid(OID.commonName), utf8(spec.commonName))));
  return seq(...rdns);
}
