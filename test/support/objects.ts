// Builders for Kubernetes objects in tests.
import type { KubeObject } from '../../controller/config/resource.js';

export function namespace(name: string, labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}

export function pod(name: string, o: { ns?: string; ip: string; node: string; sa?: string; labels?: Record<string, string> }): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: o.ns ?? 'default', labels: o.labels ?? {} },
    spec: { nodeName: o.node, serviceAccountName: o.sa ?? 'default', containers: [{ name: 'app', ports: [{ containerPort: 8080 }] }] },
    status: { phase: 'Running', podIP: o.ip, podIPs: [{ ip: o.ip }] },
  };
}

export function service(name: string, o: { ns?: string; vip: string; port: number; targetPort?: number | string; selector: Record<string, string> }): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name, namespace: o.ns ?? 'default' },
    spec: { clusterIP: o.vip, selector: o.selector, ports: [{ name: 'http', port: o.port, targetPort: o.targetPort ?? o.port }] },
  };
}
