// A fixed list of objects (the demo, tests, and the local runtime's generated objects).
import type { KubeObject } from '../config/resource.js';
import type { ConfigSink, ConfigSource } from './source.js';

export class StaticSource implements ConfigSource {
  private sink: ConfigSink | undefined;

  constructor(private objects: readonly KubeObject[], private readonly origin = 'static') {}

  start(sink: ConfigSink): Promise<void> {
    this.sink = sink;
    sink.replace(this.objects, this.origin);
    return Promise.resolve();
  }

  /** Replaces the whole list (what vanished is deleted). */
  set(objects: readonly KubeObject[]): void {
    this.objects = objects;
    this.sink?.replace(objects, this.origin);
  }

  stop(): Promise<void> {
    this.sink = undefined;
    return Promise.resolve();
  }
}
