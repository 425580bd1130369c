// Where a push's controller time goes, measured stage by stage on the loaded controller:
// the full model build (buildModel), flattening it (modelResources), and the publisher's
// diff against the previous model (JSON of every resource). Each is timed `runs` times.
import type { Controller } from '../../../controller/controller.js';
import { ModelPublisher } from '../../../controller/discovery/publisher.js';
import { buildModel, modelResources } from '../../../controller/translate/build-model.js';
import { median } from '../../lib/stats.js';

export interface StageTimings {
  buildModelMs: number[];
  modelResourcesMs: number[];
  publishDiffMs: number[];
  medians: { buildModelMs: number; modelResourcesMs: number; publishDiffMs: number };
}

function timed<T>(fn: () => T): { value: T; ms: number } {
  const start = performance.now();
  const value = fn();
  return { value, ms: performance.now() - start };
}

export function measureStages(controller: Controller, runs: number): StageTimings {
  const publisher = new ModelPublisher();
  publisher.publish(modelResources(buildModel(controller.store, controller.mesh)));
  const t: StageTimings = { buildModelMs: [], modelResourcesMs: [], publishDiffMs: [], medians: { buildModelMs: 0, modelResourcesMs: 0, publishDiffMs: 0 } };
  for (let i = 0; i < runs; i++) {
    const model = timed(() => buildModel(controller.store, controller.mesh));
    const resources = timed(() => modelResources(model.value));
    const diff = timed(() => publisher.publish(resources.value)); // nothing changed: a pure diff
    t.buildModelMs.push(model.ms);
    t.modelResourcesMs.push(resources.ms);
    t.publishDiffMs.push(diff.ms);
  }
  t.medians = { buildModelMs: median(t.buildModelMs), modelResourcesMs: median(t.modelResourcesMs), publishDiffMs: median(t.publishDiffMs) };
  return t;
}
