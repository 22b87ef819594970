// Reading the state a webview saved with setState, handed back by VS Code after a reload. It came
// from the page, so it is untrusted: shape-checked here (vscode-free, unit-tested), and the panels
// still only use run folders the store knows.
const MAX_PATH = 4096;

function obj(v: unknown): Record<string, unknown> | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}
const pathLike = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= MAX_PATH && !v.includes('\0');

export function restoredDashboardDirs(state: unknown, max: number): string[] {
  const dirs = obj(state)?.dirs;
  return Array.isArray(dirs) ? dirs.filter(pathLike).slice(0, max) : [];
}

const MAX_NAME = 200;

/**
 * The dashboard's saved choice: its runs, or the experiment it was opened on (whose runs it follows
 * again, including any that started meanwhile: no dirs then), and whether it compared its runs.
 */
export function restoredDashboard(state: unknown, max: number): { dirs: string[]; experiment: string | null; compare: boolean } {
  const o = obj(state);
  const experiment = typeof o?.experiment === 'string' && o.experiment.length > 0 && o.experiment.length <= MAX_NAME ? o.experiment : null;
  return { dirs: experiment ? [] : restoredDashboardDirs(state, max), experiment, compare: !experiment && o?.compare === true };
}

export function restoredInspector(state: unknown, maxStep: number): { runDir: string; step?: number } | null {
  const o = obj(state);
  if (!o || !pathLike(o.runDir)) return null;
  const step = typeof o.step === 'number' && Number.isSafeInteger(o.step) && o.step >= 0 && o.step <= maxStep ? o.step : undefined;
  return { runDir: o.runDir, step };
}

/** Only experiment files, on the local or remote file system: a restored panel opens nothing else. */
export function restoredDocumentUri(state: unknown): string | null {
  const uri = obj(state)?.uri;
  if (!pathLike(uri) || !/\.jest\.json$/i.test(uri)) return null;
  return /^(file|vscode-remote):\/\//.test(uri) ? uri : null;
}
