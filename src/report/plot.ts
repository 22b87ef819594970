// Line charts as SVG (rendered to PNG by sharp): the benchmark report's plots, with no plotting
// library and nothing fetched. Series carry a mean line and a min-max band across seeds.

export interface Series {
  name: string;
  colour: string;
  /** x ascending; y mean; lo/hi the spread across seeds (optional). */
  points: { x: number; y: number; lo?: number; hi?: number }[];
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  width?: number;
  height?: number;
  /** Format tick labels (e.g. FLOPs as 1.2T). */
  xFormat?: (x: number) => string;
  yFormat?: (y: number) => string;
  /** A horizontal reference line, e.g. uniform's final accuracy. */
  hLine?: { y: number; label: string };
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function ticks(lo: number, hi: number, n = 5): number[] {
  const span = hi - lo || 1;
  const step = 10 ** Math.floor(Math.log10(span / n));
  const nice = [1, 2, 2.5, 5, 10].map((m) => m * step).find((s) => span / s <= n) ?? step * 10;
  const out: number[] = [];
  for (let t = Math.ceil(lo / nice) * nice; t <= hi + 1e-12; t += nice) out.push(Number(t.toPrecision(12)));
  return out;
}

export function lineChartSvg(series: Series[], o: ChartOptions): string {
  // the legend sits right of the plot: wide enough for the longest name (~7 px per character at 12 px), the plot keeps its width
  const legend = Math.max(170, 44 + 7 * Math.max(0, ...series.map((s) => s.name.length)));
  const W = (o.width ?? 720) + legend - 170;
  const H = o.height ?? 420;
  const m = { l: 64, r: legend, t: 36, b: 48 };
  const all = series.flatMap((s) => s.points);
  const xMin = Math.min(...all.map((p) => p.x));
  const xMax = Math.max(...all.map((p) => p.x));
  const yMin = 0;
  const yMax = Math.max(...all.map((p) => p.hi ?? p.y), o.hLine?.y ?? 0) * 1.08 || 1;
  const X = (x: number) => m.l + ((x - xMin) / (xMax - xMin || 1)) * (W - m.l - m.r);
  const Y = (y: number) => H - m.b - ((y - yMin) / (yMax - yMin)) * (H - m.t - m.b);
  const fx = o.xFormat ?? ((x: number) => String(x));
  const fy = o.yFormat ?? ((y: number) => String(y));
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${m.l}" y="22" font-size="14" font-weight="bold">${esc(o.title)}</text>`,
  ];
  for (const t of ticks(xMin, xMax)) {
    parts.push(`<line x1="${X(t)}" x2="${X(t)}" y1="${m.t}" y2="${H - m.b}" stroke="#eee"/>`);
    parts.push(`<text x="${X(t)}" y="${H - m.b + 16}" text-anchor="middle">${esc(fx(t))}</text>`);
  }
  for (const t of ticks(yMin, yMax)) {
    parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${Y(t)}" y2="${Y(t)}" stroke="#eee"/>`);
    parts.push(`<text x="${m.l - 6}" y="${Y(t) + 4}" text-anchor="end">${esc(fy(t))}</text>`);
  }
  parts.push(`<rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}" fill="none" stroke="#888"/>`);
  parts.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - 10}" text-anchor="middle">${esc(o.xLabel)}</text>`);
  parts.push(`<text transform="translate(16 ${(m.t + H - m.b) / 2}) rotate(-90)" text-anchor="middle">${esc(o.yLabel)}</text>`);
  if (o.hLine) {
    parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${Y(o.hLine.y)}" y2="${Y(o.hLine.y)}" stroke="#555" stroke-dasharray="5 4"/>`);
    parts.push(`<text x="${W - m.r - 4}" y="${Y(o.hLine.y) - 4}" text-anchor="end" fill="#555">${esc(o.hLine.label)}</text>`);
  }
  series.forEach((s, i) => {
    const pts = s.points;
    if (pts.some((p) => p.lo !== undefined)) {
      const upper = pts.map((p) => `${X(p.x)},${Y(p.hi ?? p.y)}`);
      const lower = [...pts].reverse().map((p) => `${X(p.x)},${Y(p.lo ?? p.y)}`);
      parts.push(`<polygon points="${[...upper, ...lower].join(' ')}" fill="${s.colour}" fill-opacity="0.15" stroke="none"/>`);
    }
    parts.push(`<polyline points="${pts.map((p) => `${X(p.x)},${Y(p.y)}`).join(' ')}" fill="none" stroke="${s.colour}" stroke-width="2"/>`);
    const ly = m.t + 14 + i * 18;
    parts.push(`<line x1="${W - m.r + 12}" x2="${W - m.r + 32}" y1="${ly - 4}" y2="${ly - 4}" stroke="${s.colour}" stroke-width="3"/>`);
    parts.push(`<text x="${W - m.r + 38}" y="${ly}">${esc(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** A colour per arm name, stable across reports. */
export const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];
