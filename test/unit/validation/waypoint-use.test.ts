// analyze: L7 configuration bound to a service that no waypoint serves is a warning.
// Table tests over YAML fixtures (a namespace `shop` with the Service `reviews`, plus each
// row's documents).
import test from 'ava';
import { parseYamlDocuments } from '../../../controller/config/load-yaml.js';
import { analyzeObjects } from '../../../controller/validation/analyze.js';
import { formatFinding } from '../../../controller/validation/finding.js';

const NAMESPACE = `
apiVersion: v1
kind: Namespace
metadata: {name: shop}
`;

const SERVICE = (labels = '{}'): string => `
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: shop, labels: ${labels}}
spec: {selector: {app: reviews}, ports: [{name: http, port: 9080}]}
`;

const WAYPOINT = (name = 'waypoint', namespace = 'shop', labels = '{}', className = 'istio-waypoint'): string => `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: ${name}, namespace: ${namespace}, labels: ${labels}}
spec:
  gatewayClassName: ${className}
  listeners: [{name: mesh, port: 15008, protocol: HBONE}]
`;

const VS = (spec: string, namespace = 'shop'): string => `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: ${namespace}}
spec:
${spec}
`;
const HTTP = `  http: [{route: [{destination: {host: reviews}}]}]`;

const ROUTE = (kind: string, parentRefs: string): string => `
apiVersion: gateway.networking.k8s.io/v1
kind: ${kind}
metadata: {name: reviews, namespace: shop}
spec:
  parentRefs: ${parentRefs}
  rules: [{backendRefs: [{name: reviews, port: 9080}]}]
`;

const POLICY = (scope: string): string => `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: reviews-viewer, namespace: shop}
spec:
${scope}
  rules: [{to: [{operation: {methods: [GET]}}]}]
`;

const SERVICE_ENTRY = `
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: api, namespace: shop}
spec: {hosts: [api.example.com], ports: [{number: 443, name: https, protocol: TLS}], resolution: DNS}
`;

const NO_EFFECT = 'has no effect without a waypoint: ';
const NOT_USED = `${NO_EFFECT}service reviews.shop.svc.cluster.local does not use one (label it istio.io/use-waypoint=waypoint)`;

interface Row {
  title: string;
  docs: string[];
  /** "Kind ns/name path: message" of each waypoint warning. */
  want: string[];
}

const rows: Row[] = [
  // VirtualService
  { title: 'a mesh VirtualService with http routes, no waypoint', docs: [NAMESPACE, SERVICE(), VS(`  hosts: [reviews]\n${HTTP}`)], want: [`VirtualService shop/reviews spec.hosts[0]: ${NOT_USED}`] },
  { title: 'the Service uses a waypoint', docs: [NAMESPACE, SERVICE('{istio.io/use-waypoint: waypoint}'), WAYPOINT(), VS(`  hosts: [reviews]\n${HTTP}`)], want: [] },
  { title: 'the namespace uses a waypoint', docs: [NAMESPACE.replace('{name: shop}', '{name: shop, labels: {istio.io/use-waypoint: waypoint}}'), SERVICE(), WAYPOINT(), VS(`  hosts: [reviews]\n${HTTP}`)], want: [] },
  { title: 'a waypoint in another namespace (istio.io/use-waypoint-namespace)', docs: [NAMESPACE, SERVICE('{istio.io/use-waypoint: shared, istio.io/use-waypoint-namespace: mesh}'), WAYPOINT('shared', 'mesh'), VS(`  hosts: [reviews]\n${HTTP}`)], want: [] },
  { title: 'the Service opts out of its namespace\'s waypoint', docs: [NAMESPACE.replace('{name: shop}', '{name: shop, labels: {istio.io/use-waypoint: waypoint}}'), SERVICE('{istio.io/use-waypoint: none}'), WAYPOINT(), VS(`  hosts: [reviews]\n${HTTP}`)], want: [`VirtualService shop/reviews spec.hosts[0]: ${NO_EFFECT}service reviews.shop.svc.cluster.local opts out of waypoints (istio.io/use-waypoint=none on the Service)`] },
  { title: 'the label names a Gateway that is not there', docs: [NAMESPACE, SERVICE('{istio.io/use-waypoint: gone}'), VS(`  hosts: [reviews]\n${HTTP}`)], want: [`VirtualService shop/reviews spec.hosts[0]: ${NO_EFFECT}service reviews.shop.svc.cluster.local asks for waypoint shop/gone, but there is no Gateway of class istio-waypoint by that name`] },
  { title: 'the label names a Gateway of another class', docs: [NAMESPACE, SERVICE('{istio.io/use-waypoint: ingress}'), WAYPOINT('ingress', 'shop', '{}', 'istio'), VS(`  hosts: [reviews]\n${HTTP}`)], want: [`VirtualService shop/reviews spec.hosts[0]: ${NO_EFFECT}service reviews.shop.svc.cluster.local asks for waypoint shop/ingress, but there is no Gateway of class istio-waypoint by that name`] },
  { title: 'the waypoint takes workload traffic only', docs: [NAMESPACE, SERVICE('{istio.io/use-waypoint: waypoint}'), WAYPOINT('waypoint', 'shop', '{istio.io/waypoint-for: workload}'), VS(`  hosts: [reviews]\n${HTTP}`)], want: [`VirtualService shop/reviews spec.hosts[0]: ${NO_EFFECT}service reviews.shop.svc.cluster.local asks for waypoint shop/waypoint, which does not take service traffic (istio.io/waypoint-for=workload)`] },
  { title: 'a waypoint for all traffic serves services', docs: [NAMESPACE, SERVICE('{istio.io/use-waypoint: waypoint}'), WAYPOINT('waypoint', 'shop', '{istio.io/waypoint-for: all}'), VS(`  hosts: [reviews]\n${HTTP}`)], want: [] },
  { title: 'the suggestion names a waypoint of the namespace', docs: [NAMESPACE, SERVICE(), WAYPOINT('shop-wp'), VS(`  hosts: [reviews]\n${HTTP}`)], want: [`VirtualService shop/reviews spec.hosts[0]: ${NO_EFFECT}service reviews.shop.svc.cluster.local does not use one (label it istio.io/use-waypoint=shop-wp)`] },
  { title: 'a VirtualService for an ingress gateway only', docs: [NAMESPACE, SERVICE(), VS(`  hosts: [reviews]\n  gateways: [shop/ingress]\n${HTTP}`)], want: [] },
  { title: 'a VirtualService for the mesh and a gateway', docs: [NAMESPACE, SERVICE(), VS(`  hosts: [reviews]\n  gateways: [mesh, shop/ingress]\n${HTTP}`)], want: [`VirtualService shop/reviews spec.hosts[0]: ${NOT_USED}`] },
  { title: 'a tcp-only VirtualService works without a waypoint', docs: [NAMESPACE, SERVICE(), VS('  hosts: [reviews]\n  tcp: [{route: [{destination: {host: reviews}}]}]')], want: [] },
  { title: 'a fully qualified host from another namespace', docs: [NAMESPACE, SERVICE(), VS(`  hosts: [other, reviews.shop.svc.cluster.local]\n${HTTP}`, 'default')], want: [`VirtualService default/reviews spec.hosts[1]: ${NOT_USED}`] },
  { title: 'a short host resolves in the VirtualService\'s namespace', docs: [NAMESPACE, SERVICE(), VS(`  hosts: [reviews]\n${HTTP}`, 'default')], want: [] },
  { title: 'without the Namespace the input cannot tell', docs: [SERVICE(), VS(`  hosts: [reviews]\n${HTTP}`)], want: [] },
  { title: 'without the Namespace the Service\'s own label still tells', docs: [SERVICE('{istio.io/use-waypoint: gone}'), VS(`  hosts: [reviews]\n${HTTP}`)], want: [`VirtualService shop/reviews spec.hosts[0]: ${NO_EFFECT}service reviews.shop.svc.cluster.local asks for waypoint shop/gone, but there is no Gateway of class istio-waypoint by that name`] },
  { title: 'without the Service there is nothing to say', docs: [NAMESPACE, VS(`  hosts: [reviews]\n${HTTP}`)], want: [] },
  // HTTPRoute, GRPCRoute
  { title: 'an HTTPRoute with a Service parent', docs: [NAMESPACE, SERVICE(), ROUTE('HTTPRoute', '[{group: "", kind: Service, name: reviews, port: 9080}]')], want: [`HTTPRoute shop/reviews spec.parentRefs[0]: ${NOT_USED}`] },
  { title: 'a GRPCRoute with a Service parent (group core)', docs: [NAMESPACE, SERVICE(), ROUTE('GRPCRoute', '[{group: core, kind: Service, name: reviews}]')], want: [`GRPCRoute shop/reviews spec.parentRefs[0]: ${NOT_USED}`] },
  { title: 'an HTTPRoute with a Service parent that uses a waypoint', docs: [NAMESPACE, SERVICE('{istio.io/use-waypoint: waypoint}'), WAYPOINT(), ROUTE('HTTPRoute', '[{group: "", kind: Service, name: reviews}]')], want: [] },
  { title: 'an HTTPRoute for a Gateway', docs: [NAMESPACE, SERVICE(), ROUTE('HTTPRoute', '[{name: ingress}]')], want: [] },
  { title: 'an HTTPRoute with a parent Service in another namespace', docs: [NAMESPACE, SERVICE(), ROUTE('HTTPRoute', '[{group: "", kind: Service, name: reviews, namespace: shop}]').replace('namespace: shop}\nspec', 'namespace: default}\nspec')], want: [`HTTPRoute default/reviews spec.parentRefs[0]: ${NOT_USED}`] },
  // AuthorizationPolicy
  { title: 'a policy with targetRefs to a Service', docs: [NAMESPACE, SERVICE(), POLICY('  targetRefs: [{kind: Service, group: "", name: reviews}]')], want: [`AuthorizationPolicy shop/reviews-viewer spec.targetRefs[0]: ${NOT_USED}`] },
  { title: 'a policy with the older targetRef', docs: [NAMESPACE, SERVICE(), POLICY('  targetRef: {kind: Service, group: "", name: reviews}')], want: [`AuthorizationPolicy shop/reviews-viewer spec.targetRef: ${NOT_USED}`] },
  { title: 'a policy with targetRefs to a Service that uses a waypoint', docs: [NAMESPACE, SERVICE('{istio.io/use-waypoint: waypoint}'), WAYPOINT(), POLICY('  targetRefs: [{kind: Service, group: "", name: reviews}]')], want: [] },
  { title: 'a policy with targetRefs to the waypoint itself', docs: [NAMESPACE, SERVICE(), WAYPOINT(), POLICY('  targetRefs: [{kind: Gateway, group: gateway.networking.k8s.io, name: waypoint}]')], want: [] },
  { title: 'a selector policy is the node proxy\'s', docs: [NAMESPACE, SERVICE(), POLICY('  selector: {matchLabels: {app: reviews}}')], want: [] },
  // ServiceEntry
  { title: 'a VirtualService and a policy for a ServiceEntry', docs: [NAMESPACE, SERVICE_ENTRY, VS(`  hosts: [api.example.com]\n${HTTP}`), POLICY('  targetRefs: [{kind: ServiceEntry, group: networking.istio.io, name: api}]')], want: [
    `VirtualService shop/reviews spec.hosts[0]: ${NO_EFFECT}service entry api.example.com does not use one (label it istio.io/use-waypoint=waypoint)`,
    `AuthorizationPolicy shop/reviews-viewer spec.targetRefs[0]: ${NO_EFFECT}service entry api.example.com does not use one (label it istio.io/use-waypoint=waypoint)`,
  ] },
  { title: 'a ServiceEntry that uses a waypoint', docs: [NAMESPACE, SERVICE_ENTRY.replace('namespace: shop}', 'namespace: shop, labels: {istio.io/use-waypoint: waypoint}}'), WAYPOINT(), VS(`  hosts: [api.example.com]\n${HTTP}`)], want: [] },
];

for (const r of rows) {
  test(`waypoint use: ${r.title}`, (t) => {
    const loaded = parseYamlDocuments(r.docs.join('\n---\n'), 'in.yaml');
    t.deepEqual(loaded.findings.map(formatFinding), [], 'fixture parses');
    const findings = analyzeObjects(loaded.objects);
    const got = findings.filter((f) => f.message.startsWith(NO_EFFECT));
    t.true(got.every((f) => f.severity === 'warning' && f.file === 'in.yaml'));
    t.deepEqual(got.map((f) => `${f.kind} ${f.name} ${f.path}: ${f.message}`), r.want);
  });
}

test('waypoint use: never an error, so analyze still passes', (t) => {
  const loaded = parseYamlDocuments([NAMESPACE, SERVICE(), VS(`  hosts: [reviews]\n${HTTP}`)].join('\n---\n'), 'in.yaml');
  t.deepEqual(analyzeObjects(loaded.objects).filter((f) => f.severity === 'error').map(formatFinding), []);
});
