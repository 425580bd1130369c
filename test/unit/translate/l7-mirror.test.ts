// Mirrors → L7 routes (reference rule 77): VirtualService `mirror` + `mirrorPercentage`
// (and the deprecated `mirrorPercent`), `mirrors[]`, and the Gateway API RequestMirror filter.
import test from 'ava';
import type { L7HttpRoute, L7Mirror } from '../../../api/l7-model.js';
import type { KubeObject } from '../../../controller/config/resource.js';
import type { L7Case } from './l7-builders.js';
import { backend, fqdn, httpRoute, runCase, service, svcParent, to, vs } from './l7-builders.js';

const svcs = [service('reviews'), service('reviews-v1'), service('reviews-v2')];
const REVIEWS = fqdn('reviews');
const V1 = fqdn('reviews-v1');
const V2 = fqdn('reviews-v2');

const vsRoute = (extra: Record<string, unknown>): KubeObject => vs('r', 'default', { hosts: ['reviews'], http: [{ route: [to('reviews')], ...extra }] });
const expectVs = (extra: Partial<L7HttpRoute>): L7HttpRoute =>
  ({ name: 'VirtualService default/r#0', matches: [], action: { route: [{ host: REVIEWS, weight: 100 }] }, ...extra });
const mirror = (host: string, percentage: number, extra: Partial<L7Mirror['destination']> = {}): L7Mirror => ({ destination: { host, weight: 1, ...extra }, percentage });

const cases: L7Case[] = [
  {
    title: 'rule 77: mirror without mirrorPercentage copies every request',
    objects: [...svcs, vsRoute({ mirror: { host: 'reviews', subset: 'v2' } })],
    http: [expectVs({ mirrors: [mirror(REVIEWS, 100, { subset: 'v2' })] })],
    noWarnings: true,
  },
  {
    title: 'rule 77: mirrorPercentage sets the share (a double)',
    objects: [...svcs, vsRoute({ mirror: { host: 'reviews-v2', port: { number: 9080 } }, mirrorPercentage: { value: 12.5 } })],
    http: [expectVs({ mirrors: [mirror(V2, 12.5, { port: 9080 })] })],
    noWarnings: true,
  },
  {
    title: 'rule 77: an explicit 0 % mirrors nothing',
    objects: [...svcs, vsRoute({ mirror: { host: 'reviews-v2' }, mirrorPercentage: { value: 0 } })],
    http: [expectVs({})],
  },
  {
    title: 'rule 77: the deprecated integer mirrorPercent is honoured when it is all there is',
    objects: [...svcs, vsRoute({ mirror: { host: 'reviews-v2' }, mirrorPercent: 30 })],
    http: [expectVs({ mirrors: [mirror(V2, 30)] })],
  },
  {
    title: 'rule 77: mirrors[] each with its own percentage (absent: 100 %)',
    objects: [...svcs, vsRoute({ mirrors: [{ destination: { host: 'reviews-v1' } }, { destination: { host: 'reviews-v2' }, percentage: { value: 5 } }] })],
    http: [expectVs({ mirrors: [mirror(V1, 100), mirror(V2, 5)] })],
    noWarnings: true,
  },
  {
    title: 'rule 77: mirror and mirrors together: mirrors wins, with a warning',
    objects: [...svcs, vsRoute({ mirror: { host: 'reviews-v1' }, mirrors: [{ destination: { host: 'reviews-v2' } }] })],
    http: [expectVs({ mirrors: [mirror(V2, 100)] })],
    warnings: [/spec\.http\[0\]\.mirror: mirror and mirrors are mutually exclusive/],
  },
  {
    title: 'rule 77: a mirror without a host is skipped with a warning',
    objects: [...svcs, vsRoute({ mirrors: [{ destination: {} }] })],
    http: [expectVs({})],
    warnings: [/mirrors\[0\]\[0\]\.destination: destination without a host/],
  },
  {
    title: 'rule 77: a redirect route is not mirrored',
    objects: [...svcs, vs('r', 'default', { hosts: ['reviews'], http: [{ redirect: { uri: '/x' }, mirror: { host: 'reviews-v2' } }] })],
    http: [{ name: 'VirtualService default/r#0', matches: [], action: { redirect: { uri: '/x', status: 301 } } }],
  },
  {
    title: 'rule 77: a Gateway API RequestMirror filter mirrors to its backendRef (percent)',
    objects: [...svcs, httpRoute('r', 'default', {
      parentRefs: [svcParent('reviews')],
      rules: [{ filters: [{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'reviews-v2', port: 80 }, percent: 40 } }], backendRefs: [backend('reviews-v1', 80)] }],
    })],
    http: [{ name: 'HTTPRoute default/r#0', matches: [{ path: { pathPrefix: '/' } }], action: { route: [{ host: V1, port: 80, weight: 1 }] }, mirrors: [mirror(V2, 40, { port: 80 })] }],
    noWarnings: true,
  },
  {
    title: 'rule 77: RequestMirror fraction and the default of 100 %',
    objects: [...svcs, httpRoute('r', 'default', {
      parentRefs: [svcParent('reviews')],
      rules: [{
        filters: [
          { type: 'RequestMirror', requestMirror: { backendRef: { name: 'reviews-v2', port: 80 }, fraction: { numerator: 1, denominator: 4 } } },
          { type: 'RequestMirror', requestMirror: { backendRef: { name: 'reviews', port: 80 } } },
        ],
        backendRefs: [backend('reviews-v1', 80)],
      }],
    })],
    http: [{ name: 'HTTPRoute default/r#0', matches: [{ path: { pathPrefix: '/' } }], action: { route: [{ host: V1, port: 80, weight: 1 }] }, mirrors: [mirror(V2, 25, { port: 80 }), mirror(REVIEWS, 100, { port: 80 })] }],
    noWarnings: true,
  },
  {
    title: 'rule 77: a RequestMirror to a Service that does not exist is dropped with a warning',
    objects: [...svcs, httpRoute('r', 'default', {
      parentRefs: [svcParent('reviews')],
      rules: [{ filters: [{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'nowhere', port: 80 } } }], backendRefs: [backend('reviews-v1', 80)] }],
    })],
    http: [{ name: 'HTTPRoute default/r#0', matches: [{ path: { pathPrefix: '/' } }], action: { route: [{ host: V1, port: 80, weight: 1 }] } }],
    warnings: [/requestMirror\[0\]\.backendRef\[0\]: Service default\/nowhere does not exist/],
  },
];

for (const c of cases) test(c.title, (t) => runCase(t, c));
