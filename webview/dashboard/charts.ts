// The dashboard's six charts: which columns each draws, on which axis, in which dash pattern.
// A dataset is one (run, series) pair: the run gives the colour, the series the dash, so the
// same run reads the same everywhere and a chart's series stay apart within a run.
import {
  Chart,
  Legend,
  LineController,
  LineElement,
  LinearScale,
  LogarithmicScale,
  PointElement,
  Tooltip,
  type ChartDataset,
  type Plugin,
} from 'chart.js';
import type { ChartId } from '../../protocol/dashboard';
import type { Point } from './decimate';

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Legend, Tooltip);

export interface SeriesDef {
  /** Column key (step table) or, for the eval chart, `eval`: the chosen eval metric. */
  key: string;
  label: string;
  axis: 'y' | 'y1';
  dash: number[];
}

export interface ChartDef {
  id: ChartId;
  title: string;
  table: 'steps' | 'evals';
  yTitle: string;
  y1Title?: string;
  /** Tick labels of an axis whose values span decades below 1 (a learning rate): 1.0e-3. */
  exponential?: ('y' | 'y1')[];
  series: SeriesDef[];
}

const solid: number[] = [];
const dashed = [6, 4];
const dotted = [2, 3];
const dashDot = [8, 3, 2, 3];

export const CHARTS: ChartDef[] = [
  { id: 'loss', title: 'Training loss', table: 'steps', yTitle: 'sigmoid loss', series: [{ key: 'loss', label: 'loss', axis: 'y', dash: solid }] },
  {
    // the learning rate (warm-up, decay) on the left, in exponent notation; the gradient norm
    // before clipping on the right, so a blow-up shows against the schedule that caused it
    id: 'optimizer',
    title: 'Optimizer: learning rate and gradient norm',
    table: 'steps',
    yTitle: 'learning rate',
    y1Title: 'gradient norm',
    exponential: ['y'],
    series: [
      { key: 'lr', label: 'lr', axis: 'y', dash: solid },
      { key: 'gradNorm', label: 'grad norm', axis: 'y1', dash: dashed },
    ],
  },
  { id: 'eval', title: 'Evaluation', table: 'evals', yTitle: 'accuracy / recall', series: [{ key: 'eval', label: 'eval', axis: 'y', dash: solid }] },
  {
    id: 'learnability',
    title: 'Learnability of the selected batch vs a random batch',
    table: 'steps',
    yTitle: 'score per example',
    series: [
      { key: 'selection.selectedScore', label: 'selected', axis: 'y', dash: solid },
      { key: 'selection.randomScore', label: 'random', axis: 'y', dash: dashed },
    ],
  },
  {
    id: 'selection',
    title: 'Selection statistics',
    table: 'steps',
    yTitle: 'loss on the selected batch',
    y1Title: 'noisy fraction selected',
    series: [
      { key: 'selection.learnerLoss', label: 'learner loss', axis: 'y', dash: solid },
      { key: 'selection.referenceLoss', label: 'reference loss', axis: 'y', dash: dashed },
      { key: 'selection.noisyFraction', label: 'noisy fraction', axis: 'y1', dash: dotted },
    ],
  },
  {
    id: 'throughput',
    title: 'Throughput',
    table: 'steps',
    yTitle: 'examples / s',
    y1Title: 'ms per step',
    series: [
      { key: 'examplesPerSecond', label: 'examples/s', axis: 'y', dash: solid },
      { key: 'ms.data', label: 'ms data', axis: 'y1', dash: dashed },
      { key: 'ms.scoring', label: 'ms scoring', axis: 'y1', dash: dotted },
      { key: 'ms.selection', label: 'ms selection', axis: 'y1', dash: dashDot },
      { key: 'ms.train', label: 'ms train', axis: 'y1', dash: [12, 3] },
    ],
  },
];

export interface Theme {
  foreground: string;
  muted: string;
  grid: string;
  background: string;
  /** VS Code's high-contrast themes (dark and light): thicker lines, contrast borders for the grid. */
  highContrast: boolean;
}

/** Read the theme from VS Code's CSS variables (they change with the theme, without a reload). */
export function readTheme(): Theme {
  const css = getComputedStyle(document.body);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  const highContrast = document.body.classList.contains('vscode-high-contrast') || document.body.classList.contains('vscode-high-contrast-light');
  const border = v('--vscode-editorWidget-border', v('--vscode-panel-border', 'rgba(128,128,128,0.3)'));
  return {
    foreground: v('--vscode-foreground', '#cccccc'),
    // high contrast: muted text would fall under the theme's own contrast promise, so use the foreground
    muted: highContrast ? v('--vscode-foreground', '#ffffff') : v('--vscode-descriptionForeground', '#999999'),
    grid: highContrast ? v('--vscode-contrastBorder', border) : border,
    background: v('--vscode-editor-background', '#1e1e1e'),
    highContrast,
  };
}

/** Paint the editor background under the chart so an exported PNG is not transparent. */
const background: Plugin<'line'> = {
  id: 'jestBackground',
  beforeDraw(chart) {
    const c = chart.ctx;
    c.save();
    c.globalCompositeOperation = 'destination-over';
    c.fillStyle = (chart.options.plugins as { jestBackground?: { color?: string } }).jestBackground?.color ?? 'transparent';
    c.fillRect(0, 0, chart.width, chart.height);
    c.restore();
  },
};

const exponent = (v: number | string) => (Number(v) === 0 ? '0' : Number(v).toExponential(1));

export function createChart(canvas: HTMLCanvasElement, def: ChartDef, theme: Theme): Chart<'line', Point[]> {
  const ticks = (axis: 'y' | 'y1') => ({ color: theme.muted, ...(def.exponential?.includes(axis) ? { callback: exponent } : {}) });
  return new Chart<'line', Point[]>(canvas, {
    type: 'line',
    data: { datasets: [] },
    plugins: [background],
    options: {
      // what keeps a million points smooth: no parsing (the data is already {x, y}), no
      // animation, and only the decimated few thousand points ever reach chart.js
      parsing: false,
      normalized: true,
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: 'nearest', intersect: false, axis: 'x' },
      elements: { point: { radius: def.table === 'evals' ? 2 : 0, hitRadius: 4 }, line: { borderWidth: 1 } },
      // decimated data never holds NaN gaps: skip chart.js's segment search
      spanGaps: true,
      scales: {
        x: { type: 'linear', title: { display: true, text: 'step', color: theme.muted }, ticks: { color: theme.muted, maxTicksLimit: 8 }, grid: { color: theme.grid } },
        y: { type: 'linear', title: { display: true, text: def.yTitle, color: theme.muted }, ticks: ticks('y'), grid: { color: theme.grid } },
        ...(def.y1Title ? { y1: { type: 'linear' as const, position: 'right' as const, title: { display: true, text: def.y1Title, color: theme.muted }, ticks: ticks('y1'), grid: { drawOnChartArea: false } } } : {}),
      },
      plugins: {
        legend: { labels: { color: theme.foreground, boxWidth: 18, boxHeight: 2 } },
        tooltip: { animation: false },
        ...({ jestBackground: { color: theme.background } } as object),
      },
    },
  });
}

export function applyTheme(chart: Chart<'line', Point[]>, theme: Theme): void {
  const o = chart.options;
  for (const s of Object.values(o.scales ?? {})) {
    if (!s) continue;
    const scale = s as { ticks?: { color?: string }; grid?: { color?: string }; title?: { color?: string } };
    if (scale.ticks) scale.ticks.color = theme.muted;
    if (scale.title) scale.title.color = theme.muted;
    if (scale.grid && scale.grid.color !== undefined) scale.grid.color = theme.grid;
  }
  if (o.plugins?.legend?.labels) o.plugins.legend.labels.color = theme.foreground;
  (o.plugins as { jestBackground?: { color: string } }).jestBackground = { color: theme.background };
}

/** A (run, series) line; `runDir` says whose point a click hit. */
export type LineDataset = ChartDataset<'line', Point[]> & { runDir?: string };
