// Experiment-file commands: New Experiment, Set Filter Ratio, Configure Flexi-JEST, Choose Reference
// Model. Each edit is an undoable WorkspaceEdit of the file (authoring/edits.ts), with input
// validated before it is written; the engine's diagnostics then re-check the whole file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { superBatchSize, type Experiment } from '../../src/config/experiment';
import { experimentTemplate } from '../../src/config/template';
import { parseExperiment } from '../../src/config/validate';
import { overrideFlags, runsRootFor } from '../config';
import type { Services } from '../context';
import { editFields, fieldValue, type FieldEdit } from '../authoring/edits';
import { requireTrust } from '../trust';
import { filterRatioProblem, parseTrainMix } from '../authoring/rules';
import { experimentDocument } from './args';
import { readyExperiment } from './runs';
import { showError } from '../notify';

const NAME_RE = /^[A-Za-z0-9._-]{1,60}$/;

function currentExperiment(doc: vscode.TextDocument): Experiment {
  return parseExperiment(doc.getText()).experiment;
}

/** A path as the experiment file should hold it: relative to the file's folder, with forward slashes. */
function relativeTo(doc: vscode.TextDocument, target: string): string {
  const rel = path.relative(path.dirname(doc.fileName), target) || '.';
  return rel.split(path.sep).join('/');
}

export async function newExperiment(s: Services, folderArg?: unknown, nameArg?: unknown): Promise<vscode.Uri | undefined> {
  const folder = folderArg instanceof vscode.Uri ? folderArg.fsPath : vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  if (!folder) {
    void showError('New Experiment needs a folder: open a folder (File: Open Folder) first.');
    return undefined;
  }
  const name =
    typeof nameArg === 'string'
      ? nameArg
      : await vscode.window.showInputBox({
          title: 'JEST: New Experiment',
          prompt: 'Experiment name (names its file and its run folders)',
          value: 'my-experiment',
          validateInput: (v) =>
            !NAME_RE.test(v) ? 'Use 1 to 60 letters, digits, ".", "_" or "-".' : fs.existsSync(path.join(folder, `${v}.jest.json`)) ? `${v}.jest.json already exists in ${folder}: choose another name.` : undefined,
        });
  if (!name) return undefined;
  if (!NAME_RE.test(name)) {
    void showError(`"${name}" is not a valid experiment name: use letters, digits, ".", "_" or "-".`);
    return undefined;
  }
  const file = path.join(folder, `${name}.jest.json`);
  if (fs.existsSync(file)) {
    void showError(`${file} already exists: choose another name.`);
    return undefined;
  }
  // a finished run in this workspace makes a better default reference than a placeholder path
  const ref = s.store.list().find((r) => r.status === 'finished' && fs.existsSync(path.join(r.dir, 'models', 'image_encoder.onnx')));
  const referenceRun = ref ? path.relative(folder, ref.dir).split(path.sep).join('/') : undefined;
  fs.writeFileSync(file, experimentTemplate({ name, referenceRun }));
  const uri = vscode.Uri.file(file);
  await vscode.window.showTextDocument(uri);
  return uri;
}

export async function setFilterRatio(_s: Services, arg?: unknown, valueArg?: unknown): Promise<boolean> {
  const doc = await experimentDocument(arg);
  if (!doc) return false;
  const e = currentExperiment(doc);
  const b = e.training.batchSize;
  let value = typeof valueArg === 'number' ? String(valueArg) : undefined;
  if (value === undefined) {
    value = await vscode.window.showInputBox({
      title: 'JEST: Set Filter Ratio',
      prompt: `f: the share of each super-batch JEST filters out (batch size b = ${b}; the super-batch is B = b / (1 − f))`,
      value: String(e.selection.filterRatio),
      validateInput: (v) => filterRatioProblem(v, b) ?? { message: `B = ${Math.round(b / (1 - Number(v)))}: train on ${b} of every ${Math.round(b / (1 - Number(v)))} examples`, severity: vscode.InputBoxValidationSeverity.Info },
    });
  }
  if (value === undefined) return false;
  const problem = filterRatioProblem(value, b);
  if (problem) {
    void showError(`Filter ratio not set: ${problem}`);
    return false;
  }
  return editFields(doc, [{ path: ['selection', 'filterRatio'], value: Number(value) }]);
}

export interface FlexiChoice {
  enabled: boolean;
  scoringPatchSize?: number;
  trainMix?: { patchSize: number; fraction: number }[];
}

export async function configureFlexi(_s: Services, arg?: unknown, choiceArg?: FlexiChoice): Promise<boolean> {
  const doc = await experimentDocument(arg);
  if (!doc) return false;
  const e = currentExperiment(doc);
  const sizes = e.model.patchSizes;
  let choice = choiceArg;
  if (!choice) {
    const on = await vscode.window.showQuickPick(
      [
        { label: 'Enable Flexi-JEST', description: 'score at a coarse patch size, train at a mix', enabled: true },
        { label: 'Disable Flexi-JEST', description: 'score and train at full resolution', enabled: false },
      ],
      { title: 'JEST: Configure Flexi-JEST', placeHolder: `now ${e.flexi.enabled ? 'enabled' : 'disabled'}` },
    );
    if (!on) return false;
    choice = { enabled: on.enabled };
    if (on.enabled) {
      const coarse = await vscode.window.showQuickPick(
        sizes.map((p) => ({ label: String(p), description: p === Math.max(...sizes) ? 'coarsest: fewest scoring FLOPs' : undefined })),
        { title: 'Scoring patch size (the learner scores the super-batch at this size)', placeHolder: String(e.flexi.scoringPatchSize) },
      );
      if (!coarse) return false;
      choice.scoringPatchSize = Number(coarse.label);
      const mixText = await vscode.window.showInputBox({
        title: 'Training mix: patch size:fraction, fractions adding up to 1',
        value: e.flexi.trainMix.map((m) => `${m.patchSize}:${m.fraction}`).join(', '),
        validateInput: (v) => {
          const r = parseTrainMix(v, sizes);
          return typeof r === 'string' ? r : undefined;
        },
      });
      if (mixText === undefined) return false;
      const mix = parseTrainMix(mixText, sizes);
      if (typeof mix === 'string') return false;
      choice.trainMix = mix;
    }
  }
  if (choice.scoringPatchSize !== undefined && !sizes.includes(choice.scoringPatchSize)) {
    void showError(`Flexi-JEST not configured: scoring patch size ${choice.scoringPatchSize} is not in model.patchSizes (${sizes.join(', ')}).`);
    return false;
  }
  const edits: FieldEdit[] = [{ path: ['flexi', 'enabled'], value: choice.enabled }];
  if (choice.scoringPatchSize !== undefined) edits.push({ path: ['flexi', 'scoringPatchSize'], value: choice.scoringPatchSize });
  if (choice.trainMix) edits.push({ path: ['flexi', 'trainMix'], value: choice.trainMix });
  return editFields(doc, edits);
}

export interface ReferenceChoice {
  run?: string;
  encoders?: { image: string; text: string };
  /** A pretrained model folder in the standard layout (CLIP / SigLIP ONNX export). */
  folder?: string;
  /** Train a new reference on data.curated (what the quick pick's last item does). */
  train?: true;
}

async function referenceItems(s: Services, doc: vscode.TextDocument) {
  type Item = vscode.QuickPickItem & { choice?: ReferenceChoice; train?: true; pickFolder?: true };
  const items: Item[] = [];
  const runs = s.store.list().filter((r) => r.status === 'finished' && fs.existsSync(path.join(r.dir, 'models', 'image_encoder.onnx')));
  if (runs.length) items.push({ label: 'Finished runs', kind: vscode.QuickPickItemKind.Separator });
  for (const r of runs) items.push({ label: `$(history) ${path.basename(r.dir)}`, description: r.name, detail: relativeTo(doc, r.dir), choice: { run: r.dir } });
  const runDirs = new Set(runs.map((r) => path.join(r.dir, 'models')));
  const encoders = (await vscode.workspace.findFiles('**/image_encoder.onnx', '**/node_modules/**', 100)).filter((u) => !runDirs.has(path.dirname(u.fsPath)) && fs.existsSync(path.join(path.dirname(u.fsPath), 'text_encoder.onnx')));
  if (encoders.length) items.push({ label: 'Encoder pairs (.onnx)', kind: vscode.QuickPickItemKind.Separator });
  for (const u of encoders) {
    const d = path.dirname(u.fsPath);
    items.push({ label: `$(file-binary) ${vscode.workspace.asRelativePath(d)}`, description: 'image_encoder.onnx + text_encoder.onnx', choice: { encoders: { image: u.fsPath, text: path.join(d, 'text_encoder.onnx') } } });
  }
  // Pretrained exports in the workspace: a config.json beside a tokenizer.json and the two graphs.
  // (not prepared caches, and not runs' own models/standard, which are listed as runs above)
  const folders = (await vscode.workspace.findFiles('**/tokenizer.json', '{**/node_modules/**,**/.cache/**}', 200))
    .map((u) => path.dirname(u.fsPath))
    .filter((d) => !(path.basename(d) === 'standard' && runDirs.has(path.dirname(d))) && standardLayoutGap(d) === undefined);
  if (folders.length) items.push({ label: 'Pretrained models (standard ONNX layout)', kind: vscode.QuickPickItemKind.Separator });
  for (const d of folders) items.push({ label: `$(library) ${vscode.workspace.asRelativePath(d)}`, description: modelTypeOf(d), choice: { folder: d } });
  items.push(
    { label: '', kind: vscode.QuickPickItemKind.Separator },
    { label: '$(folder-opened) Pick a model folder…', description: 'a CLIP / SigLIP exported to ONNX (onnx/vision_model.onnx, tokenizer.json, config.json)', pickFolder: true },
    { label: '$(add) Train a new reference on the curated set…', description: 'uniform sampling on data.curated', train: true },
  );
  return items;
}

/** The standard-layout file a folder lacks (jest/standard-layout.ts reads them all at validate), or undefined. */
export function standardLayoutGap(dir: string): string | undefined {
  for (const f of ['config.json', 'preprocessor_config.json', 'tokenizer.json']) if (!fs.existsSync(path.join(dir, f))) return f;
  const has = (g: string) => fs.existsSync(path.join(dir, 'onnx', g)) || fs.existsSync(path.join(dir, g));
  if (has('model.onnx')) return undefined; // both towers in one graph (Optimum's layout)
  for (const g of ['vision_model.onnx', 'text_model.onnx']) if (!has(g)) return `onnx/${g}`;
  return undefined;
}

function modelTypeOf(dir: string): string {
  try {
    return String((JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as { model_type?: unknown }).model_type ?? '');
  } catch {
    return '';
  }
}

async function pickModelFolder(): Promise<ReferenceChoice | undefined> {
  const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, title: 'A pretrained image-text model in the standard ONNX layout', openLabel: 'Use as reference' });
  const dir = picked?.[0]?.fsPath;
  if (!dir) return undefined;
  const gap = standardLayoutGap(dir);
  if (gap) {
    void showError(`${dir} is not a model folder in the standard layout: it has no ${gap}. Export the model with Optimum or use a transformers.js model folder (docs/reference-models.md).`);
    return undefined;
  }
  return { folder: dir };
}

/** Write the reference into the file: a run folder, an encoder pair or a model folder (paths relative to the file). */
async function setReference(doc: vscode.TextDocument, c: ReferenceChoice): Promise<boolean> {
  const current = fieldValue(doc, ['reference']);
  const run = c.run ? relativeTo(doc, c.run) : null;
  const encoders = c.encoders ? { image: relativeTo(doc, c.encoders.image), text: relativeTo(doc, c.encoders.text) } : null;
  const folder = c.folder ? relativeTo(doc, c.folder) : null;
  if (typeof current !== 'object' || current === null) return editFields(doc, [{ path: ['reference'], value: { run, encoders, folder, logitScale: null, logitBias: null, cacheEmbeddings: true } }]);
  const edits: FieldEdit[] = [
    { path: ['reference', 'run'], value: run },
    { path: ['reference', 'encoders'], value: encoders },
    { path: ['reference', 'folder'], value: folder },
  ];
  // a folder model's temperature belongs to that model: not to a run, an encoder pair or another folder
  const sameFolder = folder !== null && fieldValue(doc, ['reference', 'folder']) === folder;
  if (!sameFolder) for (const k of ['logitScale', 'logitBias']) if (fieldValue(doc, ['reference', k]) != null) edits.push({ path: ['reference', k], value: null });
  return editFields(doc, edits);
}

/** A uniform run on data.curated, from a sibling experiment file, and the reference set to it. */
async function trainReference(s: Services, doc: vscode.TextDocument): Promise<boolean> {
  if (!requireTrust()) return false;
  const e = currentExperiment(doc);
  const curated = fieldValue(doc, ['data', 'curated']) ?? e.data.curated;
  if (!curated) {
    void showError('There is no curated set to train a reference on: set data.curated (e.g. { "kind": "builtin", "name": "emoji" }) first.');
    return false;
  }
  const refName = `${e.name}-reference`.slice(0, 60);
  const refFile = path.join(path.dirname(doc.fileName), `${refName}.jest.json`);
  if (!fs.existsSync(refFile)) {
    const { modify, applyEdits } = await import('jsonc-parser');
    let text = doc.getText();
    const set = (p: (string | number)[], v: unknown) => (text = applyEdits(text, modify(text, p, v, { formattingOptions: { tabSize: 2, insertSpaces: true } })));
    set(['name'], refName);
    set(['data', 'train'], curated);
    set(['selection', 'method'], 'uniform');
    set(['selection', 'score'], 'hard-learner');
    set(['reference'], null);
    set(['flexi', 'enabled'], false);
    fs.writeFileSync(refFile, `// The reference for ${e.name}: uniform sampling on its curated set (written by "JEST: Choose Reference Model").\n${text}`);
  }
  const refDoc = await vscode.workspace.openTextDocument(refFile);
  const ok = await readyExperiment(s, refDoc);
  if (!ok) {
    await vscode.window.showTextDocument(refDoc);
    return false;
  }
  const dir = s.manager.start(refFile, ok.name, runsRootFor(refFile), overrideFlags());
  void vscode.window.showInformationMessage(`Training the reference ${path.basename(dir)}; ${path.basename(doc.fileName)} now points at it (run it when the reference has finished).`);
  return setReference(doc, { run: dir });
}

export async function chooseReferenceModel(s: Services, arg?: unknown, choiceArg?: ReferenceChoice): Promise<boolean> {
  const doc = await experimentDocument(arg);
  if (!doc) return false;
  if (choiceArg) return choiceArg.train ? trainReference(s, doc) : setReference(doc, choiceArg);
  const pick = await vscode.window.showQuickPick(await referenceItems(s, doc), { title: 'JEST: Choose Reference Model', placeHolder: 'A frozen model trained on curated data steers selection', matchOnDetail: true });
  if (!pick) return false;
  if (pick.train) return trainReference(s, doc);
  const choice = pick.pickFolder ? await pickModelFolder() : pick.choice;
  return choice ? setReference(doc, choice) : false;
}
