// package.json's contributions: the palette offers Stop and Resume only when they apply, menus
// match the tree's context values, activation has no redundant onCommand events (VS Code >= 1.74
// activates on contributed commands by itself), and the first-run walkthrough ships its pages.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const menus = pkg.contributes.menus;
const commands = new Set<string>(pkg.contributes.commands.map((c: { command: string }) => c.command));

/** The `viewItem =~ /re/` tests of a when clause, as JS regexes (enough for our clauses: && of terms). */
function viewItemMatches(when: string, contextValue: string): boolean {
  const res = [...when.matchAll(/viewItem =~ \/((?:\\\/|[^/])+)\//g)].map((m) => new RegExp(m[1]));
  const eq = [...when.matchAll(/viewItem == (\S+)/g)].map((m) => m[1]);
  return res.every((r) => r.test(contextValue)) && eq.every((v) => v === contextValue);
}

/** Whether a root-level .vscodeignore pattern drops this file (scripts/package.ts copies media/ whole; this trims). */
function shippedOut(rel: string): boolean {
  const patterns = fs.readFileSync(path.join(ROOT, '.vscodeignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  // the globs it uses: `**/` any folders, `**` anything, `*` within a name (path.matchesGlob is experimental on Node 20)
  const re = (g: string) => new RegExp(`^${g.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*\//g, '\0').replace(/\*\*/g, '\x01').replace(/\*/g, '[^/]*').replace(/\0/g, '(?:.*/)?').replace(/\x01/g, '.*')}$`);
  return patterns.some((p) => re(p).test(rel.split(path.sep).join('/')));
}

test('no onCommand activation events (engines.vscode ^1.99 activates on contributed commands)', () => {
  assert.match(pkg.engines.vscode, /^\^1\.(9\d|\d{3})/);
  assert.deepEqual(pkg.activationEvents.filter((e: string) => e.startsWith('onCommand:')), []);
});

test('the palette shows Stop Run only with a live run, Resume Run only with a resumable one', () => {
  const when = (id: string) => menus.commandPalette.find((m: { command: string }) => m.command === id)?.when ?? '';
  assert.match(when('jestStudio.stopRun'), /\bjestStudio\.hasLiveRuns\b/);
  assert.match(when('jestStudio.resumeRun'), /\bjestStudio\.hasResumableRuns\b/);
  // the keys the extension sets (extension/views/contextKeys.ts)
  const src = fs.readFileSync(path.join(ROOT, 'extension', 'views', 'contextKeys.ts'), 'utf8');
  for (const k of ['jestStudio.hasLiveRuns', 'jestStudio.hasResumableRuns']) assert.ok(src.includes(`'${k}'`), `${k} is set`);
});

test('the tree offers Resume only on runs marked resumable, Stop only on live ones, Export on finished or stopped ones', () => {
  const item = (id: string) => menus['view/item/context'].find((m: { command: string }) => m.command === id).when as string;
  const resume = item('jestStudio.resumeRun');
  assert.ok(viewItemMatches(resume, 'jestRun.stopped.resumable'));
  assert.ok(viewItemMatches(resume, 'jestRun.failed.resumable'));
  assert.ok(!viewItemMatches(resume, 'jestRun.failed'), 'a failed run without a checkpoint');
  assert.ok(!viewItemMatches(resume, 'jestRun.stopped'));
  assert.ok(viewItemMatches(item('jestStudio.stopRun'), 'jestRun.running.live'));
  assert.ok(!viewItemMatches(item('jestStudio.stopRun'), 'jestRun.stopped.resumable'));
  const exp = item('jestStudio.exportModel');
  assert.ok(viewItemMatches(exp, 'jestRun.stopped.resumable'));
  assert.ok(viewItemMatches(exp, 'jestRun.finished'));
  assert.ok(!viewItemMatches(exp, 'jestRun.running.live'));
});

test('the first-run walkthrough: every step has its page in media/ and completes on a contributed command', () => {
  const [w] = pkg.contributes.walkthroughs;
  assert.ok(w.steps.length >= 4);
  for (const s of w.steps) {
    const page = path.join(ROOT, s.media.markdown);
    assert.ok(page.startsWith(path.join(ROOT, 'media') + path.sep), `${s.id}: its page is under media/ (the VSIX ships media/)`);
    assert.ok(fs.statSync(page).size > 100, `${s.id}: ${s.media.markdown} exists`);
    assert.ok(!shippedOut(path.relative(ROOT, page)), `${s.id}: .vscodeignore keeps ${s.media.markdown} in the VSIX`);
    assert.ok(s.completionEvents.length > 0);
    for (const e of s.completionEvents) assert.ok(commands.has(e.replace('onCommand:', '')), `${s.id}: ${e} names a contributed command`);
    for (const m of s.description.matchAll(/\(command:([\w.]+)\)/g)) assert.ok(commands.has(m[1]), `${s.id}: link to ${m[1]}`);
  }
});

test('runs selected together in the Runs view can be compared from their context menu', () => {
  const entry = menus['view/item/context'].find((m: { command: string; when: string }) => m.command === 'jestStudio.compareRuns' && viewItemMatches(m.when, 'jestRun.finished'));
  assert.ok(entry, 'a run item offers Compare Runs');
  assert.match(entry.when, /listMultiSelection/, 'only when several items are selected (one run alone has nothing to compare with)');
  assert.ok(viewItemMatches(entry.when, 'jestRun.stopped.resumable'));
});
