// The supervisor with a fake `ip` that runs `netns exec <ns> argv…` in place (no
// privileges needed): logs, exit reporting, stopping process groups, recovery from
// records after a crash, and never signalling a process that is not the recorded one.
import test from 'ava';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isAmbitError } from '../../../api/errors.js';
import { SYSTEM_PATH, type IpRunner } from '../../../cli/local/ip.js';
import { processFile, writeJsonAtomic } from '../../../cli/local/state.js';
import {
  Supervisor, groupMembers, podStatus, procStat, processStatus, readProcessRecords, stopRecordedProcesses,
  type LaunchSpec, type ProcessRecord, type ProcessStatus,
} from '../../../cli/local/supervisor.js';

const noIp: IpRunner = () => Promise.resolve('');

function setup(t: { teardown(fn: () => void): void }): { stateDir: string; ipBinary: string } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'ambit-supervisor-unit-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const ipBinary = path.join(root, 'fake-ip');
  writeFileSync(ipBinary, '#!/bin/sh\nif [ "$1" = netns ] && [ "$2" = exec ]; then shift 3; exec "$@"; fi\nexit 1\n');
  chmodSync(ipBinary, 0o755);
  return { stateDir: path.join(root, 'state'), ipBinary };
}

function spec(container: string, argv: string[]): LaunchSpec {
  return { namespace: 'default', pod: 'p-1', container, netns: 'ambit-unit-default-p-1', argv, env: { PATH: SYSTEM_PATH, HOSTNAME: 'p-1', GREETING: 'hi' } };
}

function alive(pid: number): boolean {
  return procStat(pid) !== undefined;
}

test('a crash is reported as Error(exit code), with stdout and stderr in the log', async (t) => {
  const { stateDir, ipBinary } = setup(t);
  const exits: [string, ProcessStatus][] = [];
  const sup = new Supervisor(stateDir, { ipBinary, onExit: (r, s) => exits.push([r.key, s]) });
  const rec = sup.start(spec('crash', ['sh', '-c', 'echo "out $GREETING $HOSTNAME"; echo err >&2; exit 3']));
  t.true(rec.pid !== null && rec.startTicks !== null);
  const done = await sup.waitExit(rec.key);
  t.is(done?.exit?.code, 3);
  t.deepEqual(exits, [['default_p-1_crash', { state: 'Error', exitCode: 3, text: 'Error(exit code 3)' }]]);
  const onDisk = readProcessRecords(stateDir);
  t.is(onDisk.length, 1);
  t.is(processStatus(onDisk[0]!).text, 'Error(exit code 3)');
  t.is(readFileSync(rec.log, 'utf8'), 'out hi p-1\nerr\n');
  t.deepEqual(sup.running(), []);
});

test('a process that exits 0 is Completed; a killed one is Error(signal)', async (t) => {
  const { stateDir, ipBinary } = setup(t);
  const sup = new Supervisor(stateDir, { ipBinary });
  const ok = sup.start(spec('ok', ['true']));
  t.is(processStatus((await sup.waitExit(ok.key))!).text, 'Completed');
  const victim = sup.start(spec('victim', ['sleep', '30']));
  process.kill(victim.pid!, 'SIGKILL');
  t.is(processStatus((await sup.waitExit(victim.key))!).text, 'Error(signal SIGKILL)');
});

test('start refuses a program that is not installed, a bad workingDir and a second start', (t) => {
  const { stateDir, ipBinary } = setup(t);
  const sup = new Supervisor(stateDir, { ipBinary });
  const missing = t.throws(() => sup.start(spec('x', ['/nonexistent/httpd'])));
  t.true(isAmbitError(missing, 'AMBIT_ERR_LOCAL_RUNTIME'));
  t.regex(missing?.message ?? '', /pod default\/p-1 container "x": command "\/nonexistent\/httpd" is not installed/);
  t.regex(t.throws(() => sup.start({ ...spec('y', ['true']), workingDir: '/nonexistent-dir' }))?.message ?? '', /workingDir/);
  t.deepEqual(readProcessRecords(stateDir), []);
  const rec = sup.start(spec('z', ['sleep', '30']));
  t.regex(t.throws(() => sup.start(spec('z', ['sleep', '30'])))?.message ?? '', /already running/);
  process.kill(-rec.pid!, 'SIGKILL');
});

test('stop ends the whole process group (SIGTERM, then SIGKILL) and marks it Terminated', async (t) => {
  const { stateDir, ipBinary } = setup(t);
  const sup = new Supervisor(stateDir, { ipBinary });
  // the shell ignores SIGTERM, so only SIGKILL after the grace period ends it; its child sleeps too
  const rec = sup.start(spec('stubborn', ['sh', '-c', 'trap "" TERM; sleep 30 & wait; wait']));
  await new Promise((r) => setTimeout(r, 200));
  const members = groupMembers(rec.pid!);
  t.true(members.length >= 2, `group ${members.join(',')}`);
  const started = Date.now();
  await sup.stop(rec.key, 300);
  t.true(Date.now() - started >= 250);
  t.deepEqual(groupMembers(rec.pid!), []);
  t.is(processStatus(readProcessRecords(stateDir)[0]!).text, 'Terminated');
});

test('after a supervisor crash, stopRecordedProcesses stops recorded groups from the state dir alone', async (t) => {
  const { stateDir, ipBinary } = setup(t);
  const lost = new Supervisor(stateDir, { ipBinary }); // never stopped: stands for a crashed CLI
  const a = lost.start(spec('a', ['sh', '-c', 'sleep 30 & sleep 30; wait']));
  const b = lost.start(spec('b', ['sleep', '30']));
  await new Promise((r) => setTimeout(r, 200));
  const pids = [...groupMembers(a.pid!), ...groupMembers(b.pid!)];
  t.true(pids.length >= 3);
  t.is(processStatus(readProcessRecords(stateDir)[0]!).text, 'Running');
  const stopped = await stopRecordedProcesses(stateDir, { ip: noIp, graceMs: 2_000 });
  for (const p of pids) {
    t.false(alive(p), `pid ${p} still alive`);
    t.true(stopped.includes(p));
  }
  t.deepEqual(readProcessRecords(stateDir).map((r) => processStatus(r).state), ['Terminated', 'Terminated']);
});

test('a recorded pid whose start time differs (reused pid) is never signalled', async (t) => {
  const { stateDir } = setup(t);
  const stranger = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
  t.teardown(() => { try { process.kill(-stranger.pid!, 'SIGKILL'); } catch { /* gone */ } });
  await new Promise((r) => setTimeout(r, 100));
  const record: ProcessRecord = {
    key: 'default_old_c', namespace: 'default', pod: 'old', container: 'c', netns: 'ambit-unit-default-old', argv: ['x'], log: '/dev/null',
    pid: stranger.pid!, startTicks: procStat(stranger.pid!)!.startTicks - 1, startedAt: '2026-01-01T00:00:00Z', exit: null,
  };
  writeJsonAtomic(processFile(stateDir, record.key), record);
  t.is(processStatus(record).text, 'Unknown');
  await stopRecordedProcesses(stateDir, { ip: noIp, graceMs: 100 });
  t.true(alive(stranger.pid!));
  t.true(existsSync(processFile(stateDir, record.key)));
});

test('keepMounts enters the netns with nsenter --net=/run/netns/<netns> instead of ip netns exec', async (t) => {
  const { stateDir, ipBinary } = setup(t);
  const nsenterBinary = path.join(path.dirname(ipBinary), 'fake-nsenter');
  writeFileSync(nsenterBinary, '#!/bin/sh\necho "nsenter $1" >&2\nshift 2\nexec "$@"\n');
  chmodSync(nsenterBinary, 0o755);
  const sup = new Supervisor(stateDir, { ipBinary, nsenterBinary });
  const rec = sup.start({ ...spec('daemon', ['sh', '-c', 'echo running']), keepMounts: true });
  t.is(processStatus((await sup.waitExit(rec.key))!).text, 'Completed');
  t.is(readFileSync(rec.log, 'utf8'), 'nsenter --net=/run/netns/ambit-unit-default-p-1\nrunning\n');
});

test('podStatus: Error first, then Unknown, Pending, Running; Completed only when all completed', (t) => {
  const base = { namespace: 'd', pod: 'p', netns: 'n', argv: [], log: '', startedAt: null } as const;
  const rec = (container: string, o: Partial<ProcessRecord>): ProcessRecord => ({ ...base, key: container, container, argv: [], pid: null, startTicks: null, exit: null, ...o });
  const self = procStat(process.pid)!;
  const running = rec('r', { pid: process.pid, startTicks: self.startTicks });
  const done = rec('d', { exit: { code: 0, signal: null, finishedAt: '', stopped: false } });
  const failed = rec('f', { exit: { code: 2, signal: null, finishedAt: '', stopped: false } });
  const pending = rec('p', {});
  const cases: [ProcessRecord[], string][] = [
    [[running, done], 'Running'],
    [[done, done], 'Completed'],
    [[running, failed], 'Error(exit code 2)'],
    [[pending, running], 'Pending'],
    [[], 'Pending'],
  ];
  for (const [records, want] of cases) t.is(podStatus(records).text, want, want);
});
