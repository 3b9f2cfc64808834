/** Ob: the namespace, symbolic-link reparse, handle tables and temporary/permanent names. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ObDirectory, ObNamespace, ObSymbolicLink } from '../../../src/executive/ob/namespace.js';
import { HandleTable } from '../../../src/executive/ob/handles.js';
import { KEvent, EventType } from '../../../src/executive/ke/dispatcher.js';
import { NTSTATUS, NtStatusError } from '../../../src/abi/ntstatus.js';

const status = (s: number) => (e: unknown) => e instanceof NtStatusError && e.status === s;

test('the namespace has NT\'s directories and \\DosDevices links to \\??', () => {
  const ns = new ObNamespace([EventType]);
  for (const d of ['Device', 'Driver', 'FileSystem', 'ObjectTypes', 'BaseNamedObjects', '??', 'KnownDlls', 'BootModules']) {
    assert.ok(ns.lookup(`\\${d}`, null, false, false).object instanceof ObDirectory, d);
  }
  assert.ok(ns.lookup('\\ObjectTypes\\Event', null, false, false).object);
  assert.equal(ns.lookup('\\DosDevices', null, false, false).object, ns.lookup('\\??', null, false, false).object);
  assert.ok(ns.lookup('\\DosDevices', null, false, true).object instanceof ObSymbolicLink, 'OBJ_OPENLINK opens the link itself');
});

test('reparse through links, a loop of links ends with an error, relative names need a root', () => {
  const ns = new ObNamespace([]);
  const bno = ns.lookup('\\BaseNamedObjects', null, false, false).object as ObDirectory;
  const ev = new KEvent(false, false);
  ns.insert(bno, 'Ev', ev);
  ns.insert(ns.root, 'L1', new ObSymbolicLink('\\L2\\Ev'));
  ns.insert(ns.root, 'L2', new ObSymbolicLink('\\BaseNamedObjects'));
  assert.equal(ns.lookup('\\L1', null, false, false).object, ev);
  assert.equal(ns.lookup('\\l2\\ev', null, true, false).object, ev, 'case-insensitive');
  assert.throws(() => ns.lookup('\\l2\\ev', null, false, false), status(NTSTATUS.STATUS_OBJECT_PATH_NOT_FOUND));
  ns.insert(ns.root, 'Loop', new ObSymbolicLink('\\Loop'));
  assert.throws(() => ns.lookup('\\Loop', null, false, false), status(NTSTATUS.STATUS_OBJECT_PATH_NOT_FOUND));
  assert.throws(() => ns.lookup('Ev', null, false, false), status(NTSTATUS.STATUS_OBJECT_PATH_SYNTAX_BAD));
  assert.equal(ns.lookup('Ev', bno, false, false).object, ev);
  assert.throws(() => ns.lookup('\\A\\\\B', null, false, false), status(NTSTATUS.STATUS_OBJECT_PATH_NOT_FOUND));
});

test('handles: multiples of 4, reused, counted; a temporary name goes with the last handle, a permanent one stays', () => {
  const ns = new ObNamespace([]);
  const bno = ns.lookup('\\BaseNamedObjects', null, false, false).object as ObDirectory;
  const t = new HandleTable();
  const ev = new KEvent(false, false);
  ns.insert(bno, 'Temp', ev);
  const h1 = t.insert(ev, 1);
  const h2 = t.insert(ev, 1);
  assert.equal(h1 % 4, 0);
  assert.notEqual(h1, h2);
  assert.equal(ev.handleCount, 2);
  assert.equal(t.lookup(h1 | 3)?.object, ev, 'the low two bits are ignored');
  assert.ok(t.close(h1));
  assert.equal(t.close(h1), false, 'closing twice fails');
  assert.ok(ns.lookup('\\BaseNamedObjects\\Temp', null, false, false).object);
  t.close(h2);
  assert.equal(ns.lookup('\\BaseNamedObjects\\Temp', null, false, false).object, undefined);
  const perm = new KEvent(false, false);
  perm.permanent = true;
  ns.insert(bno, 'Perm', perm);
  t.close(t.insert(perm, 1));
  assert.equal(ns.lookup('\\BaseNamedObjects\\Perm', null, false, false).object, perm);
  assert.equal(t.insert(ev, 1), h2, 'a freed handle value is reused');
});
