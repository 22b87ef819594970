// The built-in datasets' npm command (extension/runs/npm.ts): no folder name ever reaches a shell.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { BUILTIN_DATA_PACKAGES } from '../../src/data/sources/packages';
import { npmInstall } from '../../extension/runs/npm';

const awkward = 'C:\\Users\\Ann & Bob\\AppData\\Roaming\\Code\\User\\globalStorage\\jest-studio.jest-studio\\datasets %PATH%';

test('Windows: npm.cmd goes through cmd.exe with fixed words only; the folder is the cwd', () => {
  const c = npmInstall('win32', awkward, BUILTIN_DATA_PACKAGES);
  assert.equal(c.command, 'npm.cmd');
  assert.equal(c.options.shell, true);
  assert.equal(c.options.cwd, awkward);
  for (const a of c.args) assert.match(a, /^[\w.@/-]+$/, `shell-safe word: ${a}`);
  assert.ok(!c.args.some((a) => a.includes('Ann')), 'no path on the command line');
  assert.deepEqual(c.args.slice(-BUILTIN_DATA_PACKAGES.length), [...BUILTIN_DATA_PACKAGES]);
});

test('elsewhere: no shell at all', () => {
  const c = npmInstall('linux', '/home/ann/it\'s here', BUILTIN_DATA_PACKAGES);
  assert.equal(c.command, 'npm');
  assert.equal(c.options.shell, false);
  assert.ok(c.args.includes('--ignore-scripts'));
});

test('a package name that is not a plain pinned name is refused before anything runs', () => {
  assert.throws(() => npmInstall('win32', 'C:\\x', ['emoji-datasource@16.0.0 & calc']), /not a pinned package name/);
});
