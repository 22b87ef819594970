// Stable run colours: a hash of the run's id picks the hue, so a run keeps its colour across
// reloads, panels and machines, whatever other runs are shown (users of DVC's plots complained
// about colours that move). The lightness then moves, only as far as needed, until the line has
// at least 3:1 contrast against the editor background (WCAG's minimum for graphics): the same
// run is a lighter shade on a dark or high-contrast black theme and a darker one on a light or
// high-contrast white theme, never a yellow line on white.

/** FNV-1a, 32 bit: small, fast and well spread for short strings. */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** WCAG's minimum contrast for graphical objects (1.4.11). */
export const MIN_LINE_CONTRAST = 3;

type Rgb = [number, number, number];

/** #rgb, #rrggbb(aa), rgb()/rgba(): what getComputedStyle and VS Code's variables give; undefined otherwise. */
export function parseColor(css: string): Rgb | undefined {
  const s = css.trim().toLowerCase();
  let m = /^#([0-9a-f]{3})$/.exec(s);
  if (m) return [0, 1, 2].map((i) => parseInt(m![1][i] + m![1][i], 16)) as Rgb;
  m = /^#([0-9a-f]{6})([0-9a-f]{2})?$/.exec(s);
  if (m) return [0, 2, 4].map((i) => parseInt(m![1].slice(i, i + 2), 16)) as Rgb;
  m = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)/.exec(s);
  if (m) return [Number(m[1]), Number(m[2]), Number(m[3])];
  return undefined;
}

function hslToRgb(h: number, s: number, l: number): Rgb {
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => {
    const k = (n + h / 30) % 12;
    return Math.round(255 * (l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [f(0), f(8), f(4)];
}

function luminance([r, g, b]: Rgb): number {
  const lin = (c: number) => {
    const x = c / 255;
    return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

export function contrastRatio(a: Rgb, b: Rgb): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** The run's colour as an hsl() string, readable on `background` (a CSS colour; dark assumed when unparseable). */
export function runColor(id: string, background = '#1e1e1e'): string {
  const h = hash32(id);
  // golden-angle steps spread neighbouring hashes apart on the wheel
  const hue = Math.round((h * 137.508) % 360);
  const sat = 70;
  let light = 50 + ((h >>> 9) % 3) * 6;
  const bg = parseColor(background) ?? [30, 30, 30];
  const dark = luminance(bg) < 0.2;
  // at most 12 moves of 4%: from 50% that reaches 2% or 98%, where every hue passes 3:1 on a pure black or white
  for (let i = 0; i < 12 && contrastRatio(hslToRgb(hue, sat / 100, light / 100), bg) < MIN_LINE_CONTRAST; i++) light += dark ? 4 : -4;
  return `hsl(${hue}, ${sat}%, ${light}%)`;
}

/** hsl(h, s%, l%) -> rgb, for tests and for callers that need numbers. */
export function hslStringToRgb(css: string): Rgb | undefined {
  const m = /^hsl\(\s*([\d.]+),\s*([\d.]+)%,\s*(-?[\d.]+)%\)$/.exec(css.trim());
  return m ? hslToRgb(Number(m[1]), Number(m[2]) / 100, Number(m[3]) / 100) : undefined;
}
