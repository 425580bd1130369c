// Controller memory per workload: heapUsed after the controller has taken in the fleet
// and built and published the model, minus heapUsed before (both after full GCs). The
// pod and service objects themselves are measured separately: a real source hands the
// controller objects it had to hold anyway (and real ones are bigger than these).
import type { Controller } from '../../../controller/controller.js';
import type { StaticSource } from '../../../controller/sources/static-source.js';
import type { KubeObject } from '../../../controller/config/resource.js';
import { settledHeapUsed } from '../../lib/heap.js';

export interface ControllerHeap {
  pods: number;
  /** Store entries + model + publisher (resources and their JSON), objects excluded. */
  controllerBytes: number;
  controllerBytesPerPod: number;
  /** The input Kubernetes objects (pods, services, namespaces) themselves. */
  objectBytes: number;
  objectBytesPerPod: number;
}

/** Builds the fleet's objects between two heap readings: what they take by themselves. */
export function measureObjects<T extends { objects: KubeObject[] }>(build: () => T): { fleet: T; bytes: number } {
  const before = settledHeapUsed();
  const fleet = build();
  const bytes = settledHeapUsed() - before;
  return { fleet, bytes };
}

/** Loads `objects` into a running controller (started with an almost empty source) and rebuilds now. */
export function measureControllerLoad(controller: Controller, source: StaticSource, objects: readonly KubeObject[], pods: number, objectBytes: number): ControllerHeap {
  const before = settledHeapUsed();
  source.set(objects);
  controller.flush();
  const after = settledHeapUsed();
  if (controller.publisher.size < pods) throw new Error(`controller published ${controller.publisher.size} resources for ${pods} pods`);
  const controllerBytes = after - before;
  return { pods, controllerBytes, controllerBytesPerPod: controllerBytes / pods, objectBytes, objectBytesPerPod: objectBytes / pods };
}
