// Configuration from local YAML files or directories, watched for changes. Each file is
// its own origin, so editing or deleting one file changes only what it contributed. A
// file that no longer parses keeps its last good objects in force (and is reported). A
// file whose text is what last parsed cleanly is not parsed again (a 10,000-policy file
// takes seconds to parse; editing a small file next to it should not).
import { watch, type FSWatcher } from 'node:fs';
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import type { Logger } from '../../api/log.js';
import { listConfigFiles, parseYamlDocuments } from '../config/load-yaml.js';
import type { KubeObject } from '../config/resource.js';
import { formatFinding, type Finding } from '../validation/finding.js';
import type { ConfigSink, ConfigSource } from './source.js';

export interface FileSourceOptions {
  paths: string[];
  log: Logger;
  /** Re-read delay after a change notification (editors write in several steps). */
  settleMs?: number;
  onParseErrors?(findings: Finding[]): void;
}

export class FileSource implements ConfigSource {
  private readonly lastGood = new Map<string, KubeObject[]>(); // file → objects
  private readonly cleanDigest = new Map<string, string>(); // file → digest of the text that gave lastGood without findings
  private watchers: FSWatcher[] = [];
  private timer: NodeJS.Timeout | undefined;
  private sink: ConfigSink | undefined;
  private reading: Promise<void> = Promise.resolve();

  constructor(private readonly opts: FileSourceOptions) {}

  async start(sink: ConfigSink): Promise<void> {
    this.sink = sink;
    await this.sync();
    for (const p of this.opts.paths) {
      const isDir = (await stat(p)).isDirectory();
      const w = watch(p, { recursive: isDir }, () => this.scheduleSync());
      w.on('error', (err) => this.opts.log.warn({ err, path: p }, 'file watch failed'));
      this.watchers.push(w);
    }
  }

  stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    for (const w of this.watchers) w.close();
    this.watchers = [];
    return this.reading;
  }

  /** Re-reads every file now (also used by tests and `ambit local apply`). */
  sync(): Promise<void> {
    this.reading = this.reading.then(() => this.readAll());
    return this.reading;
  }

  private scheduleSync(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => { void this.sync(); }, this.opts.settleMs ?? 50);
  }

  private async readAll(): Promise<void> {
    const sink = this.sink;
    if (!sink) return;
    let files: string[];
    try {
      files = await listConfigFiles(this.opts.paths);
    } catch (err) {
      this.opts.log.error({ err, code: 'AMBIT_ERR_CONFIG' }, 'cannot list configuration files');
      return;
    }
    const seen = new Set(files);
    for (const file of [...this.lastGood.keys()]) {
      if (!seen.has(file)) {
        this.lastGood.delete(file);
        this.cleanDigest.delete(file);
        sink.replace([], `file:${file}`);
      }
    }
    for (const file of files) {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch {
        continue; // vanished between list and read: the next sync removes it
      }
      const digest = createHash('sha256').update(text).digest('base64');
      if (this.cleanDigest.get(file) === digest) continue; // unchanged: its objects are in force
      this.cleanDigest.delete(file);
      const parsed = parseYamlDocuments(text, file);
      if (parsed.findings.length > 0) {
        for (const f of parsed.findings) this.opts.log.error({ code: 'AMBIT_ERR_YAML_PARSE', file }, formatFinding(f));
        this.opts.onParseErrors?.(parsed.findings);
        if (this.lastGood.has(file)) continue; // keep what the file last contributed
      }
      const objects = parsed.objects.map((o) => o.object);
      this.lastGood.set(file, objects);
      if (parsed.findings.length === 0) this.cleanDigest.set(file, digest);
      sink.replace(objects, `file:${file}`);
    }
  }
}
