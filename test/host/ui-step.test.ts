// The UI test's steps (scripts/vscode-test/ui.ts): a step that skips passes only where the UI is
// allowed not to run; in CI (JEST_REQUIRE_BROWSER=1 or CI=true) it fails the run, naming the step.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { step } from '../../scripts/vscode-test/ui';
import type { TestResult } from '../../scripts/vscode-test/server';

async function withEnv<T>(env: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(env)) v === undefined ? delete process.env[k] : (process.env[k] = v);
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) v === undefined ? delete process.env[k] : (process.env[k] = v);
  }
}

test('a skipped UI step fails where the browser is required', async () => {
  const results: TestResult[] = [];
  const ok = await withEnv({ JEST_REQUIRE_BROWSER: '1', CI: undefined }, () => step(results, 'inspector', async () => 'skip'));
  assert.equal(ok, false);
  assert.equal(results[0].state, 'failed');
  assert.match(results[0].error ?? '', /ui inspector: skipped, and a skip is a failure/);
});

test('CI=true alone makes a skip a failure too; CI=false does not', async () => {
  const results: TestResult[] = [];
  assert.equal(await withEnv({ JEST_REQUIRE_BROWSER: undefined, CI: 'true' }, () => step(results, 'inspector', async () => 'skip')), false);
  assert.equal(await withEnv({ JEST_REQUIRE_BROWSER: undefined, CI: 'false' }, () => step(results, 'inspector', async () => 'skip')), true);
  assert.deepEqual(results.map((r) => r.state), ['failed', 'pending']);
});

test('elsewhere a skipped step is reported as skipped, and a passing one passes', async () => {
  const results: TestResult[] = [];
  await withEnv({ JEST_REQUIRE_BROWSER: undefined, CI: undefined }, async () => {
    assert.equal(await step(results, 'inspector', async () => 'skip'), true);
    assert.equal(await step(results, 'charts', async () => undefined), true);
  });
  assert.deepEqual(results.map((r) => r.state), ['pending', 'passed']);
});
