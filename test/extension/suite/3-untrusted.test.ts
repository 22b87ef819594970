// In restricted mode (an untrusted workspace) runs are refused with a message, and nothing starts.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, command, lastNotices, workspaceDir } from './helpers';

describe('[untrusted] restricted mode', () => {
  it('[untrusted] the extension activates but Start Run starts nothing', async function () {
    if (vscode.workspace.isTrusted) this.skip();
    const a = await api();
    const dir = await command<string | undefined>('jestStudio.startRun', vscode.Uri.file(path.join(workspaceDir(), 'tiny.jest.json')));
    assert.equal(dir, undefined);
    // refused for trust, not for any other reason (a missing file, a broken experiment)
    assert.deepEqual(lastNotices.map((n) => n.kind), ['refused']);
    assert.match(lastNotices[0].message, /does not start runs, exports or reference embeddings in an untrusted workspace/);
    assert.equal(a.store.list().filter((r) => r.live).length, 0);
    assert.equal(fs.existsSync(path.join(workspaceDir(), 'runs')), false, 'no run folder written');
  });
});
