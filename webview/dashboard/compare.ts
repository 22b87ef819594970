// Compare Runs' table: every shown run against the baseline (the first picked), on the eval metric
// chosen here, and the config fields that differ. The host computes it (protocol/dashboard.ts
// ComparisonState, from the engine's own comparison); this only draws it, as text nodes.
import type { ComparisonRow, ComparisonState } from '../../protocol/dashboard';

const SI = ['', 'K', 'M', 'G', 'T', 'P', 'E'];

/** 3.2G, 14.0T: FLOP counts span decades. */
export function formatFlops(x: number | null): string {
  if (x === null) return 'never';
  let i = 0;
  while (x >= 1000 && i < SI.length - 1) {
    x /= 1000;
    i++;
  }
  return `${x.toFixed(x < 10 ? 2 : 1)}${SI[i]}`;
}

/** Accuracies and recalls (fractions) as percentages, as `jest-studio compare` prints them. */
export function formatMetric(v: number | null, metric: string): string {
  if (v === null) return '–';
  return metric.includes('/') && v >= 0 && v <= 1 ? `${(v * 100).toFixed(2)}%` : v.toFixed(4);
}

const speedup = (x: number | null) => (x === null ? '–' : `${x.toFixed(2)}×`);
const basename = (dir: string) => dir.split(/[\\/]/).filter(Boolean).pop() ?? dir;

/** The run as the table names it: the experiment name and the folder (runs of one experiment share a name). */
export function runLabel(r: { name: string; dir: string }): string {
  const folder = basename(r.dir);
  return folder === r.name ? r.name : `${r.name} · ${folder}`;
}

function cell(tag: 'td' | 'th', text: string, title?: string): HTMLTableCellElement {
  const c = document.createElement(tag);
  c.textContent = text;
  if (title) c.title = title;
  return c;
}

function row(cells: HTMLTableCellElement[], className?: string): HTMLTableRowElement {
  const tr = document.createElement('tr');
  if (className) tr.className = className;
  tr.append(...cells);
  return tr;
}

export class ComparisonView {
  private readonly select: HTMLSelectElement;

  constructor(
    private readonly root: HTMLElement,
    onMetric: (key: string) => void,
  ) {
    root.innerHTML = `
<header><h2>Runs compared with the baseline</h2><label>metric <select id="compare-metric"></select></label></header>
<p id="compare-target" class="muted"></p>
<table id="compare-table" class="compare-table">
  <thead><tr><th>run</th><th>final</th><th>steps to target</th><th>× fewer steps</th><th>FLOPs to target</th><th>× fewer FLOPs</th></tr></thead>
  <tbody></tbody>
</table>
<h3>Config differences</h3>
<p id="compare-config-none" class="muted">The runs' config.json files are the same (the name aside).</p>
<table id="compare-config" class="compare-table"><thead></thead><tbody></tbody></table>`;
    this.select = root.querySelector('#compare-metric')!;
    this.select.addEventListener('change', () => onMetric(this.select.value));
  }

  show(c: ComparisonState | null): void {
    this.root.hidden = !c;
    if (!c) return;
    const keys = c.metrics.map((m) => m.key);
    if (Array.from(this.select.options, (o) => o.value).join('\n') !== keys.join('\n')) this.select.replaceChildren(...keys.map((k) => new Option(k, k)));
    this.select.value = c.metric;
    this.select.disabled = keys.length === 0;
    const base = c.rows[0];
    this.root.querySelector('#compare-target')!.textContent = !c.metric
      ? 'None of these runs has an evaluation yet: the table fills in as they evaluate.'
      : c.target === null
        ? `The baseline ${runLabel(base)} has no evaluation of ${c.metric}: no target to reach.`
        : `Target: ${c.metric} ≥ ${formatMetric(c.target, c.metric)}, the baseline's final value (${runLabel(base)}, step ${base.finalStep}).`;
    const body = this.root.querySelector('#compare-table tbody')!;
    body.replaceChildren(...c.rows.map((r, i) => this.runRow(r, i === 0, c.metric)));

    const none = this.root.querySelector<HTMLElement>('#compare-config-none')!;
    const table = this.root.querySelector<HTMLTableElement>('#compare-config')!;
    none.hidden = c.config.length > 0;
    table.hidden = c.config.length === 0;
    table.tHead!.replaceChildren(row([cell('th', 'field'), ...c.rows.map((r, i) => cell('th', i === 0 ? `${runLabel(r)} (baseline)` : runLabel(r), r.dir))]));
    table.tBodies[0].replaceChildren(...c.config.map((d) => row([cell('td', d.path), ...d.values.map((v, i) => cell('td', v ?? '(absent)', i > 0 && v !== d.values[0] ? 'differs from the baseline' : undefined))])));
  }

  private runRow(r: ComparisonRow, baseline: boolean, metric: string): HTMLTableRowElement {
    const name = cell('td', baseline ? `${runLabel(r)} (baseline)` : runLabel(r), r.dir);
    if (!r.evaluated) {
      const missing = cell('td', metric ? `no evaluation of ${metric}` : 'no evaluation yet');
      missing.colSpan = 5;
      missing.className = 'muted';
      return row([name, missing], baseline ? 'baseline' : undefined);
    }
    return row(
      [
        name,
        cell('td', formatMetric(r.final, metric), `at step ${r.finalStep}`),
        cell('td', r.steps === null ? 'never' : r.steps.toFixed(0)),
        cell('td', speedup(r.stepSpeedup)),
        cell('td', formatFlops(r.flops)),
        cell('td', speedup(r.flopSpeedup)),
      ],
      baseline ? 'baseline' : undefined,
    );
  }
}
