// The built file: within budget, and it adds exactly one global.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { JSDOM, VirtualConsole } from 'jsdom';
import { BUILT } from '../support/harness.mjs';

test('dni.js is at most 3.875 KiB gzipped', () => {
  const size = gzipSync(readFileSync(BUILT), { level: 9 }).length;
  assert.ok(size <= 3968, `${size} B gzipped`);
});

test('its only global is window.calltrack', () => {
  const dom = new JSDOM('<!doctype html><p>x</p>', { url: 'https://shop.example/', runScripts: 'outside-only',
    virtualConsole: new VirtualConsole() });
  const before = new Set(Object.getOwnPropertyNames(dom.window));
  dom.window.eval(readFileSync(BUILT, 'utf8'));
  const added = Object.getOwnPropertyNames(dom.window).filter((k) => !before.has(k));
  assert.deepEqual(added, ['calltrack']);
  assert.deepEqual(Object.keys(dom.window.calltrack).sort(), ['attribution', 'consent', 'number', 'push', 'ready', 'region', 'swap']);
  dom.window.close();
});
