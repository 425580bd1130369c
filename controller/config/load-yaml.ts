// Reads multi-document YAML (files, directories, or text) into KubeObjects. Documents
// that are not objects with apiVersion/kind/metadata.name become findings, never throw.
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from './resource.js';
import { isRecord } from './resource.js';
import type { Finding } from '../validation/finding.js';

export interface LoadedObject {
  object: KubeObject;
  file: string;
}

export interface LoadResult {
  objects: LoadedObject[];
  findings: Finding[];
}

const YAML_EXT = /\.(ya?ml|json)$/i;

export function parseYamlDocuments(text: string, file: string): LoadResult {
  const result: LoadResult = { objects: [], findings: [] };
  const docs = parseAllDocuments(text);
  docs.forEach((doc, index) => {
    const where = `document ${index + 1}`;
    if (doc.errors.length > 0) {
      result.findings.push({ severity: 'error', kind: 'YAML', name: where, path: '', message: doc.errors[0]!.message.split('\n')[0]!, file });
      return;
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return; // empty document
    const items = isRecord(value) && value.kind === 'List' && Array.isArray(value.items) ? (value.items as unknown[]) : [value];
    for (const item of items) {
      const problem = shapeProblem(item);
      if (problem) {
        result.findings.push({ severity: 'error', kind: isRecord(item) && typeof item.kind === 'string' ? item.kind : 'YAML', name: where, path: problem.path, message: problem.message, file });
        continue;
      }
      result.objects.push({ object: item as KubeObject, file });
    }
  });
  return result;
}

function shapeProblem(item: unknown): { path: string; message: string } | undefined {
  if (!isRecord(item)) return { path: '', message: 'document is not a mapping' };
  if (typeof item.apiVersion !== 'string' || item.apiVersion === '') return { path: 'apiVersion', message: 'required string' };
  if (typeof item.kind !== 'string' || item.kind === '') return { path: 'kind', message: 'required string' };
  if (!isRecord(item.metadata)) return { path: 'metadata', message: 'required mapping' };
  if (typeof item.metadata.name !== 'string' || item.metadata.name === '') return { path: 'metadata.name', message: 'required string' };
  if (item.metadata.namespace !== undefined && typeof item.metadata.namespace !== 'string') return { path: 'metadata.namespace', message: 'must be a string' };
  return undefined;
}

/**
 * Lists the YAML/JSON files under the given files or directories (sorted). Directories
 * are walked recursively unless `recursive` is false (kubectl's `-f DIR` without `-R`:
 * only the files directly in it).
 */
export async function listConfigFiles(paths: readonly string[], opts: { recursive?: boolean } = {}): Promise<string[]> {
  const recursive = opts.recursive ?? true;
  const out: string[] = [];
  for (const p of paths) {
    const st = await stat(p);
    if (st.isDirectory()) {
      const entries = await readdir(p, { withFileTypes: true });
      const children = entries.filter((e) => (e.isDirectory() ? recursive : YAML_EXT.test(e.name))).map((e) => path.join(p, e.name)).sort();
      out.push(...(await listConfigFiles(children, opts)));
    } else {
      out.push(p);
    }
  }
  return out;
}

export async function loadConfigPaths(paths: readonly string[]): Promise<LoadResult> {
  const result: LoadResult = { objects: [], findings: [] };
  for (const file of await listConfigFiles(paths)) {
    const parsed = parseYamlDocuments(await readFile(file, 'utf8'), file);
    result.objects.push(...parsed.objects);
    result.findings.push(...parsed.findings);
  }
  return result;
}
