// `ambit controller -f DIR` as a process: starts, serves metrics and the model, stops on SIGTERM.
import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

test('the controller command runs on a YAML directory and exits cleanly on SIGTERM', async (t) => {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'ambit-ctl-'));
  t.teardown(() => rmSync(stateDir, { recursive: true, force: true }));
  const child = spawn(process.execPath, [path.join(root, 'bin/ambit'), 'controller', '-f', path.join(root, 'examples'),
    '--state-dir', stateDir, '--port', '0', '--http-port', '0', '--nodes', 'node-1'], { stdio: ['ignore', 'ignore', 'pipe'] });
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL'); });
  const started = await new Promise<{ grpcPort: number; httpPort: number }>((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`controller did not start: ${buf}`)), 20_000);
    child.stderr.on('data', (d: Buffer) => {
      buf += d.toString();
      for (const line of buf.split('\n')) {
        if (!line.includes('controller started')) continue;
        clearTimeout(timer);
        resolve(JSON.parse(line) as { grpcPort: number; httpPort: number });
      }
    });
  });
  t.true(started.grpcPort > 0);
  const model = await request(`http://127.0.0.1:${started.httpPort}/debug/model`);
  const body = await model.body.json() as { services: { hostname: string }[] };
  t.true(body.services.some((s) => s.hostname === 'httpbin.default.svc.cluster.local'));
  const metrics = await (await request(`http://127.0.0.1:${started.httpPort}/metrics`)).body.text();
  t.regex(metrics, /ambit_model_version \d+/);
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  t.is(await exit, 0);
});
