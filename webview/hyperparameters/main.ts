// The hyperparameter form, bound both ways to the *.jest.json document through the host: the
// host sends what the file says plus the engine's diagnostics; each change here is sent as one
// field edit, which the host applies to the document (undoable) and which comes back as a
// document change. The page never holds a value the file does not have, except while typing.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-form-group/index.js';
import '@vscode-elements/elements/dist/vscode-form-helper/index.js';
import '@vscode-elements/elements/dist/vscode-label/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type { IpcMessage } from '../../protocol/base';
import {
  DidChangeDocumentNotification,
  DidChangeStateNotification,
  PROTOCOL_VERSION,
  ReadyCommand,
  ResetValueCommand,
  RunCommand,
  SetValueCommand,
  type FieldSpec,
  type HyperparametersState,
} from '../../protocol/hyperparameters';
import { onNotification, send, setState } from '../shared/host';
import { parseFieldInput } from './parse';

type Control = HTMLElement & { value: string; checked: boolean; invalid: boolean; disabled: boolean; placeholder: string };

interface FieldView {
  spec: FieldSpec;
  control: Control;
  helper: HTMLElement;
}

const GROUP_TITLES: Record<string, string> = {
  run: 'Run',
  training: 'Training',
  optimizer: 'Optimizer',
  selection: 'Selection (JEST)',
  model: 'Model',
  flexi: 'Flexi-JEST',
  runtime: 'Runtime',
  evaluation: 'Evaluation',
  outputs: 'Snapshots and checkpoints',
};

let state: HyperparametersState | null = null;
const views = new Map<string, FieldView>();

const app = document.getElementById('app')!;
app.innerHTML = `
<div class="toolbar">
  <h1 id="title">Hyperparameters</h1>
  <vscode-button id="run" title="Save the file and start a run">Run</vscode-button>
</div>
<p class="muted">Edits here are edits of the file: undo them in the editor with Ctrl+Z. Empty a field to use its default.</p>
<div id="problems" role="status"></div>
<form id="form"></form>`;
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
$('run').addEventListener('click', () => {
  if (!($('run') as unknown as Control).disabled) send(RunCommand, {});
});
$('form').addEventListener('submit', (e) => e.preventDefault());

onNotification((msg: IpcMessage) => {
  if (DidChangeStateNotification.is(msg)) {
    state = msg.params;
    setState({ uri: state.uri });
    $('title').textContent = `Hyperparameters: ${state.fileName}`;
    build(state.fields);
    update();
  } else if (DidChangeDocumentNotification.is(msg) && state) {
    Object.assign(state, msg.params);
    update();
  }
});

function build(fields: FieldSpec[]): void {
  const form = $('form');
  form.replaceChildren();
  views.clear();
  let section: HTMLElement | null = null;
  let group = '';
  for (const spec of fields) {
    if (spec.group !== group) {
      group = spec.group;
      section = document.createElement('section');
      const h = document.createElement('h2');
      h.textContent = GROUP_TITLES[group] ?? group;
      section.appendChild(h);
      form.appendChild(section);
    }
    const row = document.createElement('vscode-form-group');
    row.setAttribute('variant', 'settings-group');
    const label = document.createElement('vscode-label');
    const id = `f-${spec.path.replace(/\./g, '-')}`;
    label.setAttribute('for', id);
    label.textContent = spec.label;
    label.title = spec.path;
    const control = createControl(spec);
    control.id = id;
    const helper = document.createElement('vscode-form-helper');
    row.append(label, control, helper);
    section!.appendChild(row);
    views.set(spec.path, { spec, control, helper });
  }
}

function createControl(spec: FieldSpec): Control {
  if (spec.kind === 'boolean') {
    const c = document.createElement('vscode-checkbox') as unknown as Control;
    c.addEventListener('change', () => send(SetValueCommand, { path: spec.path, value: c.checked }));
    return c;
  }
  if (spec.kind === 'enum') {
    const c = document.createElement('vscode-single-select') as unknown as Control;
    const def = document.createElement('vscode-option');
    def.setAttribute('value', '');
    def.textContent = `(default: ${spec.default ?? ''})`;
    c.appendChild(def);
    (spec.options ?? []).forEach((o, i) => {
      const opt = document.createElement('vscode-option');
      opt.setAttribute('value', o);
      opt.textContent = o;
      const d = spec.optionDescriptions?.[i];
      if (d) opt.setAttribute('description', d);
      c.appendChild(opt);
    });
    c.addEventListener('change', () => {
      if (c.value === '') send(ResetValueCommand, { path: spec.path });
      else send(SetValueCommand, { path: spec.path, value: c.value });
    });
    return c;
  }
  const c = document.createElement('vscode-textfield') as unknown as Control;
  if (spec.kind !== 'string') c.setAttribute('inputmode', spec.kind === 'integer' ? 'numeric' : 'decimal');
  c.addEventListener('change', () => {
    const parsed = parseFieldInput(spec, c.value);
    if (parsed.kind === 'reset') send(ResetValueCommand, { path: spec.path });
    else if (parsed.kind === 'value') send(SetValueCommand, { path: spec.path, value: parsed.value });
    else {
      // not sent: the file keeps its last good value; say why here
      c.invalid = true;
      showHelp(views.get(spec.path)!, [{ severity: 'error', message: parsed.message }]);
    }
  });
  return c;
}

function showHelp(v: FieldView, items: { severity: 'error' | 'warning'; message: string }[]): void {
  v.helper.replaceChildren();
  const desc = document.createElement('div');
  desc.className = 'muted';
  desc.textContent = v.spec.description;
  v.helper.appendChild(desc);
  for (const d of items) {
    const p = document.createElement('div');
    p.className = d.severity;
    p.textContent = d.message;
    v.helper.appendChild(p);
  }
}

/** Put the document's values and diagnostics into the form (not into a field being typed in). */
function update(): void {
  if (!state) return;
  const focused = document.activeElement;
  for (const [path, v] of views) {
    const value = state.values[path as keyof typeof state.values];
    const effective = state.effective[path as keyof typeof state.effective];
    if (v.control !== focused) {
      if (v.spec.kind === 'boolean') v.control.checked = Boolean(value ?? effective);
      else v.control.value = value === undefined ? '' : String(value);
      if (v.spec.kind !== 'boolean' && v.spec.kind !== 'enum') v.control.placeholder = effective === undefined ? '' : `default: ${effective}`;
    }
    v.control.disabled = state.readOnly;
    const mine = state.diagnostics.filter((d) => d.path === path);
    v.control.invalid = mine.some((d) => d.severity === 'error');
    showHelp(v, mine);
  }
  const elsewhere = state.diagnostics.filter((d) => !views.has(d.path));
  const problems = $('problems');
  problems.replaceChildren(
    ...elsewhere.map((d) => {
      const p = document.createElement('div');
      p.className = d.severity;
      p.textContent = d.path ? `${d.path}: ${d.message}` : d.message;
      return p;
    }),
  );
  if (state.readOnly) {
    const p = document.createElement('div');
    p.className = 'error';
    p.textContent = 'The file does not parse: fix it in the editor; the form is read-only until then.';
    problems.prepend(p);
  }
  ($('run') as unknown as Control).disabled = state.diagnostics.some((d) => d.severity === 'error');
}

send(ReadyCommand, { protocol: PROTOCOL_VERSION });
