// Header operations (rule 79).
import test from 'ava';
import type { L7HeaderOps } from '../../../api/l7-model.js';
import { applyHeaderOps } from '../../../waypoint/engine/index.js';

const cases: { title: string; before: Record<string, string>; ops: L7HeaderOps | undefined; after: Record<string, string>; authority?: string }[] = [
  { title: 'rule 79: set adds a missing header', before: {}, ops: { set: { 'x-a': '1' } }, after: { 'x-a': '1' } },
  { title: 'rule 79: set overwrites an existing header', before: { 'x-a': 'old' }, ops: { set: { 'x-a': 'new' } }, after: { 'x-a': 'new' } },
  { title: 'rule 79: add appends to an existing header, giving a comma list', before: { 'x-a': '1' }, ops: { add: { 'x-a': '2' } }, after: { 'x-a': '1, 2' } },
  { title: 'rule 79: add creates a missing header', before: {}, ops: { add: { 'x-a': '2' } }, after: { 'x-a': '2' } },
  { title: 'rule 79: remove drops a header', before: { 'x-a': '1', 'x-b': '2' }, ops: { remove: ['x-a'] }, after: { 'x-b': '2' } },
  { title: 'rule 79: names are case-insensitive (lowercased)', before: { 'x-a': '1' }, ops: { set: { 'X-A': '2' }, remove: ['X-B'] }, after: { 'x-a': '2' } },
  { title: 'rule 79: remove runs before set and add (removed then re-added)', before: { 'x-a': 'old' }, ops: { remove: ['x-a'], add: { 'x-a': 'new' } }, after: { 'x-a': 'new' } },
  { title: 'rule 79: set runs before add for the same header', before: {}, ops: { set: { 'x-a': '1' }, add: { 'x-a': '2' } }, after: { 'x-a': '1, 2' } },
  { title: 'rule 79: :authority under set rewrites the authority, not a header', before: {}, ops: { set: { ':authority': 'new.example' } }, after: {}, authority: 'new.example' },
  { title: 'rule 79: host under set rewrites the authority too', before: {}, ops: { set: { Host: 'h2' } }, after: {}, authority: 'h2' },
  { title: 'rule 79: pseudo-headers and host are not edited by add or remove', before: { 'x-a': '1' }, ops: { add: { ':path': '/x', host: 'h' }, remove: [':method'] }, after: { 'x-a': '1' } },
  { title: 'rule 79: no operations change nothing', before: { 'x-a': '1' }, ops: undefined, after: { 'x-a': '1' } },
];
for (const c of cases) {
  test(c.title, (t) => {
    const headers = new Map(Object.entries(c.before));
    const result = applyHeaderOps(headers, c.ops);
    t.deepEqual(Object.fromEntries(headers), c.after);
    t.is(result.authority, c.authority);
  });
}
