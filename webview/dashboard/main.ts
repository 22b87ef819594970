// The dashboard page: holds the shown runs' columns (a copy of the host's truth), draws them
// through min-max decimation into chart.js, and posts user intents (which runs, export) back.
// UI-only state (x axis, eval metric, zoom) is kept with setState so it survives being hidden.
import type { IpcMessage } from '../../protocol/base';
import {
  DidAppendMetricsNotification,
  DidChangeComparisonNotification,
  DidChangeRunListNotification,
  DidChangeStateNotification,
  ExportRequest,
  OpenStepCommand,
  PROTOCOL_VERSION,
  ReadyCommand,
  SetComparisonMetricCommand,
  SetRunsCommand,
  type ChartId,
  type RunData,
  type RunListItem,
  type RunStatusName,
} from '../../protocol/dashboard';
import { getState, onNotification, request, send, setState } from '../shared/host';
import { CHARTS, applyTheme, createChart, readTheme, type ChartDef, type LineDataset } from './charts';
import { runColor } from './colors';
import { ComparisonView } from './compare';
import { MinMaxCache, extent, niceCeil, type Point } from './decimate';
import { GrowingTable } from '../../protocol/metricTable';
import { Chart } from 'chart.js';
import { stepAtX } from './pick';

// for the browser test and the benchmark: Chart.getChart(canvas) reads what a chart holds
(window as unknown as { Chart: typeof Chart }).Chart = Chart;

interface UiState {
  dirs: string[];
  /** The experiment the host follows (restored after a reload: its runs, also those started since). */
  experiment: string | null;
  /** Opened by Compare Runs (restored after a reload with the same runs, the baseline first). */
  compare: boolean;
  xAxis: 'step' | 'flops';
  evalKey: string;
  zoom: [number, number] | null;
}

interface ShownRun {
  dir: string;
  id: string;
  name: string;
  status: RunStatusName;
  color: string;
  steps: GrowingTable;
  evals: GrowingTable;
}

const ui = getState<UiState>({ dirs: [], experiment: null, compare: false, xAxis: 'step', evalKey: '', zoom: null });
let runs: ShownRun[] = [];
let available: RunListItem[] = [];
let theme = readTheme();

// ------------------------------------------------------------------ page skeleton

const app = document.getElementById('app')!;
app.innerHTML = `
<div class="toolbar">
  <label>x axis <select id="x-axis"><option value="step">steps</option><option value="flops">FLOPs (total)</option></select></label>
  <label>evaluation <select id="eval-key"></select></label>
  <button id="export-csv" class="secondary" title="Save every shown series as CSV">Export CSV</button>
  <span id="status" class="muted"></span>
</div>
<details id="picker"><summary>Runs</summary><div id="run-list"></div></details>
<div id="legend" class="legend"></div>
<p id="hint" class="muted hint">Ctrl/Cmd + mouse wheel over a chart zooms the x axis (the wheel alone scrolls the page); double-click resets the zoom; click a point to inspect that run's batch at that step.</p>
<p id="empty" class="muted">No runs to show yet: start a run, or pick runs above.</p>
<section id="compare" class="compare" hidden></section>
<div id="charts" class="charts"></div>`;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const xAxisSelect = $<HTMLSelectElement>('x-axis');
const evalSelect = $<HTMLSelectElement>('eval-key');
const statusLine = $<HTMLSpanElement>('status');
const comparison = new ComparisonView($('compare'), (metric) => send(SetComparisonMetricCommand, { metric }));

const charts = new Map<ChartId, Chart<'line', Point[]>>();
/** Dataset objects by `<dir>|<key>`, reused across renders so legend clicks (hidden state) stick. */
const datasets = new Map<ChartId, Map<string, LineDataset>>();

/** Which charts are in the viewport: live data redraws only those (drawing is what costs). */
const visibility = new IntersectionObserver((entries) => {
  let shown = false;
  for (const e of entries) {
    const id = (e.target as HTMLElement).dataset.chart as ChartId;
    if (e.isIntersecting) {
      onScreen.add(id);
      shown ||= stale.has(id);
    } else onScreen.delete(id);
  }
  if (shown) scheduleRender([], true);
});

for (const def of CHARTS) {
  const section = document.createElement('section');
  section.className = 'chart';
  section.innerHTML = `<header><h2></h2><button class="secondary export" title="Save this chart as PNG">PNG</button></header><div class="chart-box"><canvas></canvas></div>`;
  section.querySelector('h2')!.textContent = def.title;
  $('charts').appendChild(section);
  const canvas = section.querySelector('canvas')!;
  canvas.setAttribute('aria-label', def.title);
  const chart = createChart(canvas, def, theme);
  charts.set(def.id, chart);
  datasets.set(def.id, new Map());
  section.querySelector('button')!.addEventListener('click', () => void exportPng(def.id, chart));
  section.dataset.chart = def.id;
  visibility.observe(section);
  canvas.addEventListener('wheel', (e) => zoomAt(chart, e), { passive: false });
  canvas.addEventListener('dblclick', () => {
    cancelOpenStep();
    setZoom(null);
  });
  canvas.addEventListener('click', (e) => clickAt(chart, def, e));
}

xAxisSelect.value = ui.xAxis;
xAxisSelect.addEventListener('change', () => {
  ui.xAxis = xAxisSelect.value === 'flops' ? 'flops' : 'step';
  ui.zoom = null; // a step range means nothing on the FLOPs axis
  saveUi();
  xRange = [NaN, NaN];
  scheduleRender();
});
evalSelect.addEventListener('change', () => {
  ui.evalKey = evalSelect.value;
  saveUi();
  scheduleRender();
});
$('export-csv').addEventListener('click', () => {
  void request(ExportRequest, { format: 'csv' }).then(reportExport);
});

function saveUi(): void {
  setState(ui);
}

// ------------------------------------------------------------------ messages from the host

onNotification((msg: IpcMessage) => {
  if (DidChangeStateNotification.is(msg)) {
    runs = msg.params.runs.map(adopt);
    caches.clear();
    available = msg.params.available;
    ui.dirs = runs.map((r) => r.dir);
    ui.experiment = msg.params.experiment ?? null;
    ui.compare = Boolean(msg.params.comparison);
    saveUi();
    comparison.show(msg.params.comparison);
    renderRunList();
    scheduleRender();
  } else if (DidAppendMetricsNotification.is(msg)) {
    const changed = new Set<'steps' | 'evals'>();
    for (const d of msg.params.runs) {
      const run = runs.find((r) => r.dir === d.dir);
      if (!run) continue;
      if (d.steps.step.length) changed.add('steps');
      if (d.evals.step.length) changed.add('evals');
      run.steps.append(d.steps);
      run.evals.append(d.evals);
      run.status = d.status;
      // the oldest undrawn event: its wait is the longest
      if (d.writtenAt !== undefined && (!Number.isFinite(pendingWrittenAt) || d.writtenAt < pendingWrittenAt)) {
        pendingWrittenAt = d.writtenAt;
        pendingParts = [d.receivedAt ?? NaN, d.postedAt ?? NaN, Date.now()];
      }
    }
    scheduleRender([...changed], true);
  } else if (DidChangeComparisonNotification.is(msg)) {
    comparison.show(msg.params.comparison);
  } else if (DidChangeRunListNotification.is(msg)) {
    available = msg.params.available;
    renderRunList();
  }
});

function adopt(r: RunData): ShownRun {
  return { dir: r.dir, id: r.id, name: r.name, status: r.status, color: runColor(r.id, theme.background), steps: new GrowingTable(r.steps), evals: new GrowingTable(r.evals) };
}

// ------------------------------------------------------------------ run picker and legend

function renderRunList(): void {
  const list = $('run-list');
  list.replaceChildren();
  const shown = new Set(runs.map((r) => r.dir));
  for (const a of available) {
    const row = document.createElement('label');
    row.className = 'run-row';
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.checked = shown.has(a.dir);
    box.addEventListener('change', () => {
      const dirs = available.filter((x) => (x.dir === a.dir ? box.checked : shown.has(x.dir))).map((x) => x.dir);
      send(SetRunsCommand, { dirs });
    });
    const text = document.createElement('span');
    text.textContent = `${a.name} — ${a.status}${a.live ? ' (live)' : ''}, step ${a.step}/${a.totalSteps}`;
    text.title = a.dir;
    row.append(box, text);
    list.appendChild(row);
  }
  const legend = $('legend');
  legend.replaceChildren();
  for (const r of runs) {
    const item = document.createElement('span');
    item.className = 'legend-item';
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.style.background = r.color; // CSSOM, allowed under style-src without 'unsafe-inline'
    const name = document.createElement('span');
    name.textContent = `${r.name} (${r.status})`;
    name.title = r.dir;
    item.append(swatch, name);
    legend.appendChild(item);
  }
  const empty = $('empty');
  empty.hidden = runs.length > 0;
  // opened on an experiment: its runs only, never other experiments' (they join as they start)
  empty.textContent = ui.experiment
    ? `No runs of ${ui.experiment} yet: start one (Run, above the experiment file) and it shows here as it starts.`
    : 'No runs to show yet: start a run, or pick runs above.';
}

function renderEvalOptions(): void {
  const keys = [...new Set(runs.flatMap((r) => [...r.evals.columns.keys()]))].sort();
  if (!keys.includes(ui.evalKey)) ui.evalKey = keys.find((k) => k.endsWith('zero-shot/top1')) ?? keys[0] ?? '';
  const current = [...evalSelect.options].map((o) => o.value).join('\n');
  if (current !== keys.join('\n')) {
    evalSelect.replaceChildren(...keys.map((k) => new Option(k, k)));
  }
  evalSelect.value = ui.evalKey;
  evalSelect.disabled = keys.length === 0;
}

// ------------------------------------------------------------------ drawing

let frame = 0;
/** Which tables changed since the last draw: a step event redraws the step charts, not the eval chart. */
const dirty = new Set<'steps' | 'evals'>();
/**
 * Live data draws at most every LIVE_FRAME_MS; user actions (zoom, axis, theme) draw on the next
 * frame. Measured in the UI test (code-server, software rendering, 2 cores shared with the run):
 * redrawing five charts on every frame while a fast run streamed starved the page and backed VS
 * Code's webview channel up by seconds; ~13 draws a second keep up with any step rate.
 */
const LIVE_FRAME_MS = 75;
let lastRenderAt = 0;
let liveTimer = 0;

function scheduleRender(tables: ('steps' | 'evals')[] = ['steps', 'evals'], live = false): void {
  for (const t of tables) dirty.add(t);
  if (!live) liveOnly = false;
  if (frame) return; // many messages in one frame make one draw
  if (live) {
    if (liveTimer) return;
    const wait = lastRenderAt + LIVE_FRAME_MS - performance.now();
    if (wait > 0) {
      liveTimer = window.setTimeout(() => {
        liveTimer = 0;
        if (!frame) frame = requestAnimationFrame(render);
      }, wait);
      return;
    }
  }
  frame = requestAnimationFrame(render);
}

/** The oldest engine write time among deltas not yet drawn; after the draw, now - it is the event -> chart latency. */
let pendingWrittenAt = NaN;
/** For that delta: host received, host posted, page received (ms since epoch). */
let pendingParts = [NaN, NaN, NaN];
/** The last 1,000 latencies (ms), whole and by part: published on body[data-latency] for the UI test and bench:e2e. */
const latencies: Record<'total' | 'engineToHost' | 'inHost' | 'hostToPage' | 'inPage', number[]> = { total: [], engineToHost: [], inHost: [], hostToPage: [], inPage: [] };

function recordLatency(): void {
  if (!Number.isFinite(pendingWrittenAt)) return;
  const now = Date.now();
  const [received, posted, arrived] = pendingParts;
  const parts = { total: now - pendingWrittenAt, engineToHost: received - pendingWrittenAt, inHost: posted - received, hostToPage: arrived - posted, inPage: now - arrived };
  const summary: Record<string, number> = {};
  for (const [k, v] of Object.entries(parts) as [keyof typeof latencies, number][]) {
    const xs = latencies[k];
    if (Number.isFinite(v)) xs.push(v);
    if (xs.length > 1000) xs.shift();
    const sorted = [...xs].sort((a, b) => a - b);
    const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
    if (k === 'total') Object.assign(summary, { n: sorted.length, p50: pct(0.5), p95: pct(0.95), max: sorted[sorted.length - 1] });
    else Object.assign(summary, { [`${k}P50`]: pct(0.5), [`${k}P95`]: pct(0.95) });
  }
  pendingWrittenAt = NaN;
  document.body.dataset.latency = JSON.stringify(summary);
}

const lastDrawn = new Map<ChartId, number>();
/** Charts whose data changed since they were last drawn, and the charts in the viewport. */
const stale = new Set<ChartId>();
const onScreen = new Set<ChartId>();
/** False until the next render after anything but live data asked for one: then every stale chart is drawn. */
let liveOnly = false;
let xRange: [number, number] = [NaN, NaN];
/** Decimation state per (chart, run, series, x axis): live appends rescan only the new rows. */
const caches = new Map<string, MinMaxCache>();
/** Measured (bench/webview.bench.ts): 2 px per bucket cuts the live p95 by about a third against 1 px. */
const PX_PER_BUCKET = 2;

function xColumn(t: GrowingTable): Float64Array {
  return ui.xAxis === 'flops' ? t.flops : t.step;
}

function render(): void {
  frame = 0;
  const t0 = performance.now();
  lastRenderAt = t0;
  renderEvalOptions();
  // one x range for every chart, so a step (or a FLOP count) lines up across them; when it moves,
  // every chart is redrawn, not only the ones whose table changed
  const tables = runs.flatMap((r) => [r.steps, r.evals]);
  const [min, max] = extent(tables.map(xColumn), tables.map((t) => t.length));
  const range: [number, number] = [min, max > min ? niceCeil(max) : max];
  if (range[0] !== xRange[0] || range[1] !== xRange[1]) {
    xRange = range;
    dirty.add('steps').add('evals');
  }
  let drawn = 0;
  for (const def of CHARTS) {
    if (dirty.has(def.table)) stale.add(def.id);
    // live updates draw only the charts on screen; the others catch up when scrolled into view
    // (or exported). A full render (first data, axis, zoom, theme) draws every chart.
    if (stale.has(def.id) && (!liveOnly || onScreen.has(def.id))) {
      lastDrawn.set(def.id, renderChart(def));
      stale.delete(def.id);
    }
    drawn += lastDrawn.get(def.id) ?? 0;
  }
  dirty.clear();
  liveOnly = true;
  const points = runs.reduce((n, r) => n + r.steps.points + r.evals.points, 0);
  const ms = performance.now() - t0;
  statusLine.textContent = `${runs.length} run${runs.length === 1 ? '' : 's'}, ${points.toLocaleString()} points (drawn as ${drawn.toLocaleString()})`;
  document.body.dataset.points = String(points);
  recordLatency();
  const lastStep: Record<string, number> = {};
  for (const r of runs) lastStep[r.dir] = r.steps.length ? r.steps.step[r.steps.length - 1] : -1;
  // for tests and the benchmark: the moment the charts hold the data
  window.dispatchEvent(new CustomEvent('jest:rendered', { detail: { ms, points, drawn, lastStep } }));
}

function renderChart(def: ChartDef): number {
  const chart = charts.get(def.id)!;
  const byKey = datasets.get(def.id)!;
  // unzoomed, the axis ends at a round number past the data: the range (so the buckets) stays the
  // same while a live run grows into it, which is what lets the decimation be incremental
  const [x0, x1] = ui.zoom ?? xRange;
  // one bucket (a min and a max) per PX_PER_BUCKET CSS pixels of the plot area: drawing, not
  // scanning, is what costs, and min-max per 2 px draws the same envelope as per 1 px
  const width = Math.max(50, Math.round((chart.chartArea?.width ?? chart.width) / PX_PER_BUCKET));
  const next: LineDataset[] = [];
  let drawn = 0;
  for (const run of runs) {
    const t = run[def.table];
    const xs = xColumn(t);
    for (const s of def.series) {
      const key = s.key === 'eval' ? ui.evalKey : s.key;
      const col = t.columns.get(key);
      if (!col || !Number.isFinite(x0)) continue;
      const id = `${run.dir}|${s.key}`;
      const cacheKey = `${def.id}|${id}|${key}|${ui.xAxis}`;
      let cache = caches.get(cacheKey);
      if (!cache) caches.set(cacheKey, (cache = new MinMaxCache()));
      const data = cache.update(t, xs, col, t.length, x0, x1, width);
      if (!data.length) continue;
      let ds = byKey.get(id);
      if (!ds) {
        ds = { label: '', data: [], runDir: run.dir, borderColor: run.color, backgroundColor: run.color, borderDash: s.dash, yAxisID: s.axis, pointRadius: def.table === 'evals' ? 2 : 0 };
        // a 1px line takes the rasteriser's hairline path: wider lines over thousands of
        // vertices cost several times more to draw (measured: bench/webview.bench.ts)
        byKey.set(id, ds);
      }
      ds.label = def.id === 'eval' ? `${run.name} · ${key}` : def.series.length > 1 ? `${run.name} · ${s.label}` : run.name;
      ds.data = data;
      ds.borderColor = ds.backgroundColor = run.color;
      ds.borderWidth = theme.highContrast ? 2 : 1;
      drawn += data.length;
      next.push(ds);
    }
  }
  for (const id of [...byKey.keys()]) if (!next.includes(byKey.get(id)!)) byKey.delete(id);
  chart.data.datasets = next;
  const x = chart.options.scales!.x!;
  (x.title as { text: string }).text = ui.xAxis === 'flops' ? 'FLOPs (training + scoring)' : 'step';
  x.min = Number.isFinite(x0) ? x0 : undefined;
  x.max = Number.isFinite(x1) ? x1 : undefined;
  (x.ticks as { callback?: (v: number | string) => string }).callback = ui.xAxis === 'flops' ? (v) => Number(v).toExponential(1) : undefined;
  chart.update('none');
  return drawn;
}

// ------------------------------------------------------------------ zoom (wheel) and reset (double-click)

function setZoom(z: [number, number] | null): void {
  ui.zoom = z;
  dirty.add('steps').add('evals');
  saveUi();
  scheduleRender();
}

function zoomAt(chart: Chart<'line', Point[]>, e: WheelEvent): void {
  // the wheel alone scrolls the page past the charts; Ctrl/Cmd + wheel zooms (trackpad pinches
  // arrive as wheel events with ctrlKey set, so a pinch zooms too)
  if (!e.ctrlKey && !e.metaKey) return;
  const x = chart.scales.x;
  if (!x || !runs.length) return;
  e.preventDefault();
  const at = x.getValueForPixel(e.offsetX) ?? (x.min + x.max) / 2;
  const factor = e.deltaY < 0 ? 0.8 : 1.25;
  const lo = at - (at - x.min) * factor;
  const hi = at + (x.max - at) * factor;
  const all = runs.map((r) => xColumn(r.steps));
  const [min, max] = extent(all, runs.map((r) => r.steps.length));
  if (lo <= min && hi >= max) setZoom(null);
  else if (hi - lo > 1e-9) setZoom([Math.max(min, lo), Math.min(max, hi)]);
}

// ------------------------------------------------------------------ click: that step in the batch inspector

/**
 * A double-click resets the zoom, and its two clicks must not open the inspector: a click waits
 * this long for a second one (the usual double-click interval) before it opens anything.
 */
const DOUBLE_CLICK_MS = 300;
let openTimer = 0;

function cancelOpenStep(): void {
  clearTimeout(openTimer);
  openTimer = 0;
}

function clickAt(chart: Chart<'line', Point[]>, def: ChartDef, e: MouseEvent): void {
  cancelOpenStep();
  if (e.detail > 1) return; // the second click of a double-click
  // the point under the click is found now (the chart may redraw before the timer fires)
  const target = stepAt(chart, def, e);
  if (!target) return;
  openTimer = window.setTimeout(() => {
    openTimer = 0;
    send(OpenStepCommand, target);
  }, DOUBLE_CLICK_MS);
}

/** The run and training step of the point nearest to a click, or null. */
function stepAt(chart: Chart<'line', Point[]>, def: ChartDef, e: MouseEvent): { dir: string; step: number } | null {
  const hit = chart.getElementsAtEventForMode(e, 'nearest', { intersect: false, axis: 'x' }, false)[0];
  if (!hit) return null;
  const ds = chart.data.datasets[hit.datasetIndex] as LineDataset | undefined;
  const run = runs.find((r) => r.dir === ds?.runDir);
  const point = ds?.data[hit.index];
  if (!run || !point) return null;
  // on the FLOPs axis a point's x is a FLOP count: the step is the table row's
  const t = run[def.table];
  const step = ui.xAxis === 'step' ? point.x : stepAtX(t.flops, t.step, t.length, point.x);
  return Number.isSafeInteger(step) && step >= 0 ? { dir: run.dir, step } : null;
}

// ------------------------------------------------------------------ export

async function exportPng(id: ChartId, chart: Chart<'line', Point[]>): Promise<void> {
  // an off-screen chart may be behind the data: draw it first
  if (stale.has(id)) {
    lastDrawn.set(id, renderChart(CHARTS.find((c) => c.id === id)!));
    stale.delete(id);
  }
  const dataUrl = chart.toBase64Image('image/png', 1);
  reportExport(await request(ExportRequest, { format: 'png', chart: id, dataUrl }));
}

function reportExport(r: { saved: string | null } | { error: string }): void {
  statusLine.textContent = 'error' in r ? `export failed: ${r.error}` : r.saved ? `saved ${r.saved}` : 'export cancelled';
}

// ------------------------------------------------------------------ theme and size

new MutationObserver(() => {
  // VS Code swaps the body's theme class and the --vscode-* variables together
  theme = readTheme();
  for (const c of charts.values()) applyTheme(c, theme);
  // the same hue, moved to a lightness readable on the new background
  for (const r of runs) r.color = runColor(r.id, theme.background);
  renderRunList();
  scheduleRender();
}).observe(document.body, { attributes: true, attributeFilter: ['class'] });

let resizeTimer = 0;
window.addEventListener('resize', () => {
  clearTimeout(resizeTimer);
  resizeTimer = window.setTimeout(scheduleRender, 100); // re-decimate for the new width
});

send(ReadyCommand, { protocol: PROTOCOL_VERSION });
