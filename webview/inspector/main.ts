// The batch inspector page: one selection snapshot at a time. The super-batch is a grid of image
// cells cut from the contact sheet with CSS background-position (one image request per step, not
// one per example), selected examples marked, sortable; the selected batch's score sub-matrix is
// a heat map with a hover read-out.
import type { IpcMessage } from '../../protocol/base';
import {
  DidChangeStateNotification,
  DidChangeStepsNotification,
  PROTOCOL_VERSION,
  ReadyCommand,
  SelectStepRequest,
  type InspectorState,
  type Snapshot,
} from '../../protocol/inspector';
import { getState, onNotification, request, send, setState } from '../shared/host';
import { drawHeatMap, scaleLabel, type HeatMap } from './heatmap';
import { SORT_KEYS, sortedIndices, type Filter, type SortKey } from './sort';

interface UiState {
  runDir: string;
  step: number | null;
  sort: SortKey;
  descending: boolean;
  filter: Filter;
  thumb: number;
}

const ui = getState<UiState>({ runDir: '', step: null, sort: 'score', descending: true, filter: 'all', thumb: 64 });
let state: InspectorState | null = null;
let heat: HeatMap | null = null;

const SORT_LABELS: Record<SortKey, string> = {
  score: 'learnability (score)',
  learnerLoss: 'learner loss',
  referenceLoss: 'reference loss',
  order: 'selection order',
  index: 'super-batch order',
};

const app = document.getElementById('app')!;
app.innerHTML = `
<div class="toolbar">
  <button id="prev" class="secondary" title="Previous snapshot">◀</button>
  <label>step <select id="step"></select></label>
  <button id="next" class="secondary" title="Next snapshot">▶</button>
  <label>sort by <select id="sort"></select></label>
  <button id="dir" class="secondary"></button>
  <label>show <select id="filter"><option value="all">all</option><option value="selected">selected</option><option value="rejected">rejected</option></select></label>
  <span id="summary" class="muted"></span>
</div>
<p id="message" class="muted">Waiting for the run's snapshots…</p>
<div class="layout">
  <div id="grid" class="grid" role="list"></div>
  <aside class="side">
    <h2>Score sub-matrix of the selected batch</h2>
    <canvas id="heat" aria-label="score sub-matrix heat map"></canvas>
    <div id="scale" class="muted"></div>
    <div id="hover" class="muted">Hover a cell: pair (i, j) in selection order.</div>
  </aside>
</div>`;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const stepSelect = $<HTMLSelectElement>('step');
const sortSelect = $<HTMLSelectElement>('sort');
const filterSelect = $<HTMLSelectElement>('filter');
sortSelect.replaceChildren(...SORT_KEYS.map((k) => new Option(SORT_LABELS[k], k)));
sortSelect.value = ui.sort;
filterSelect.value = ui.filter;

function save(): void {
  setState(ui);
}

sortSelect.addEventListener('change', () => {
  ui.sort = sortSelect.value as SortKey;
  // losses and scores read best from the top down; orders from the start
  ui.descending = ui.sort === 'score' || ui.sort === 'learnerLoss' || ui.sort === 'referenceLoss';
  save();
  renderGrid();
});
$('dir').addEventListener('click', () => {
  ui.descending = !ui.descending;
  save();
  renderGrid();
});
filterSelect.addEventListener('change', () => {
  ui.filter = filterSelect.value as Filter;
  save();
  renderGrid();
});
stepSelect.addEventListener('change', () => void selectStep(Number(stepSelect.value)));
$('prev').addEventListener('click', () => step(-1));
$('next').addEventListener('click', () => step(1));

function step(delta: number): void {
  if (!state?.steps.length) return;
  const i = state.steps.indexOf(ui.step ?? -1);
  const next = state.steps[Math.max(0, Math.min(state.steps.length - 1, (i < 0 ? state.steps.length : i) + delta))];
  if (next !== ui.step) void selectStep(next);
}

async function selectStep(s: number): Promise<void> {
  $('message').textContent = `Loading step ${s}…`;
  const answer = await request(SelectStepRequest, { step: s });
  if ('error' in answer) {
    $('message').textContent = answer.error;
    return;
  }
  showSnapshot(answer.snapshot);
}

onNotification((msg: IpcMessage) => {
  if (DidChangeStateNotification.is(msg)) {
    state = msg.params;
    ui.runDir = state.runDir;
    save(); // the serializer reopens this run after a reload, snapshot or not
    renderSteps();
    if (state.snapshot) showSnapshot(state.snapshot);
    else $('message').textContent = state.steps.length ? 'Could not read the snapshot (see the JEST Studio: Webviews output).' : 'This run has no selection snapshots yet (experiment field snapshotEvery).';
  } else if (DidChangeStepsNotification.is(msg) && state) {
    state.steps = msg.params.steps;
    renderSteps();
  }
});

function renderSteps(): void {
  if (!state) return;
  stepSelect.replaceChildren(...state.steps.map((s) => new Option(`${s}`, `${s}`)));
  if (ui.step !== null) stepSelect.value = String(ui.step);
}

function showSnapshot(s: Snapshot): void {
  if (!state) return;
  state.snapshot = s;
  ui.step = s.step;
  stepSelect.value = String(s.step);
  save();
  const selected = s.rows.filter((r) => r.selected);
  const noisy = selected.filter((r) => r.noise).length;
  $('summary').textContent = `super-batch ${s.rows.length}, selected ${selected.length}${noisy ? `, ${noisy} of them noisy` : ''}`;
  $('message').textContent = '';
  renderGrid();
  heat = drawHeatMap($<HTMLCanvasElement>('heat'), s.selectedScores);
  $('scale').textContent = s.selectedScores.length ? scaleLabel(s.selectedScores) : 'no selection at this step';
}

const fmt = (v: number | null) => (v === null || !Number.isFinite(v) ? '–' : v.toFixed(3));

function renderGrid(): void {
  $('dir').textContent = ui.descending ? '↓ high first' : '↑ low first';
  const s = state?.snapshot;
  const grid = $('grid');
  if (!s) {
    grid.replaceChildren();
    return;
  }
  const D = ui.thumb;
  const scale = D / s.sheet.cell;
  const sheetUrl = `url("${s.sheet.uri.replace(/"/g, '%22')}")`;
  const cells = sortedIndices(s.rows, ui.sort, ui.descending, ui.filter).map((k) => {
    const r = s.rows[k];
    const cell = document.createElement('div');
    cell.className = `cell ${r.selected ? 'selected' : 'rejected'}`;
    cell.setAttribute('role', 'listitem');
    const thumb = document.createElement('div');
    thumb.className = 'thumb';
    // CSSOM assignments are allowed by style-src without 'unsafe-inline'
    thumb.style.width = thumb.style.height = `${D}px`;
    thumb.style.backgroundImage = sheetUrl;
    thumb.style.backgroundSize = `${s.sheet.columns * s.sheet.cell * scale}px auto`;
    thumb.style.backgroundPosition = `-${(k % s.sheet.columns) * D}px -${Math.floor(k / s.sheet.columns) * D}px`;
    const badge = document.createElement('span');
    badge.className = 'badge';
    badge.textContent = r.selected ? `✓ ${r.order + 1}` : '✗';
    badge.title = r.selected ? `selected, #${r.order + 1} in selection order` : 'rejected';
    thumb.appendChild(badge);
    const caption = document.createElement('div');
    caption.className = 'caption';
    caption.textContent = r.caption;
    caption.title = `${r.id}${r.label ? ` (label ${r.label})` : ''}${r.noise ? ` — noisy: ${r.noise}` : ''}`;
    const nums = document.createElement('div');
    nums.className = 'nums muted';
    nums.textContent = `S ${fmt(r.score)} · L ${fmt(r.learnerLoss)} · R ${fmt(r.referenceLoss)}`;
    cell.append(thumb, caption, nums);
    if (r.noise) {
      const tag = document.createElement('div');
      tag.className = 'noise';
      tag.textContent = `noisy: ${r.noise}`;
      cell.appendChild(tag);
    }
    return cell;
  });
  grid.replaceChildren(...cells);
}

$('heat').addEventListener('mousemove', (e) => {
  const s = state?.snapshot;
  const c = heat?.cellAt(e.offsetX, e.offsetY);
  if (!s || !c) return;
  const chosen = s.rows.filter((r) => r.selected).sort((a, b) => a.order - b.order);
  const a = chosen[c.i];
  const b = chosen[c.j];
  $('hover').textContent = `(${c.i + 1}, ${c.j + 1}) = ${fmt(c.value)}: image “${a?.caption ?? '?'}” with caption “${b?.caption ?? '?'}”`;
});

send(ReadyCommand, { protocol: PROTOCOL_VERSION });
