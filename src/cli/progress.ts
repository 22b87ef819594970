// A terminal progress bar for training runs (stderr, redrawn in place on a TTY; a line every
// tenth of the run otherwise, so logs stay readable).
import type { RunEvent } from '../runs/events';
import { averageStepMs } from '../util/stepTime';

export class ProgressBar {
  private total = 0;
  private step = 0;
  private loss = NaN;
  private msPerStep = NaN;
  private lastEval = '';
  private lastPrintedTenth = -1;
  private lastText = '';
  private started = Date.now();

  constructor(
    private readonly label: string,
    private readonly out: NodeJS.WriteStream = process.stderr,
  ) {}

  private get tty(): boolean {
    return Boolean(this.out.isTTY);
  }

  onEvent(e: RunEvent): void {
    if (e.type === 'run-start') {
      this.total = e.totalSteps;
      this.started = Date.now();
      this.step = e.resumedFrom ?? 0;
    } else if (e.type === 'step') {
      this.step = e.step;
      this.loss = e.loss;
      // exponential moving average: steady ETA despite evaluation pauses
      this.msPerStep = averageStepMs(this.msPerStep, e.ms.total);
      // the last step's line waits for the last evaluation (which follows it), so it is printed
      // once, with the final accuracy, not first with the previous one
      if (e.step < this.total) this.render();
    } else if (e.type === 'eval') {
      const m = e.metrics;
      const key = 'zero-shot/top5' in m ? 'zero-shot/top5' : Object.keys(m)[0];
      this.lastEval = key ? `${key} ${(m[key] * 100).toFixed(1)}%` : '';
      this.render();
    } else if (e.type === 'status' && (e.status === 'finished' || e.status === 'failed' || e.status === 'stopped')) {
      this.render(true);
      if (this.tty) this.out.write('\n');
      this.out.write(`${this.label}: ${e.status} at step ${e.step}${e.message ? `: ${e.message}` : ''} (${((Date.now() - this.started) / 1000).toFixed(1)} s)\n`);
    } else if (e.type === 'log' && e.level !== 'info') {
      if (this.tty) this.out.write('\n');
      this.out.write(`${this.label}: ${e.level}: ${e.message}\n`);
    }
  }

  private render(force = false): void {
    if (this.total === 0) return;
    const frac = Math.min(1, this.step / this.total);
    const tenth = Math.floor(frac * 10);
    if (!this.tty && !force && tenth === this.lastPrintedTenth) return;
    this.lastPrintedTenth = tenth;
    const width = 24;
    const filled = Math.round(frac * width);
    const eta = Number.isNaN(this.msPerStep) ? '?' : fmtTime(((this.total - this.step) * this.msPerStep) / 1000);
    const text =
      `${this.label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${this.step}/${this.total} ` +
      `loss ${Number.isNaN(this.loss) ? '-' : this.loss.toFixed(3)}${this.lastEval ? ` | ${this.lastEval}` : ''} | ` +
      `${Number.isNaN(this.msPerStep) ? '-' : this.msPerStep.toFixed(0)} ms/step | ETA ${eta}`;
    if (!this.tty && text === this.lastText) return; // a log file gets each state once
    this.lastText = text;
    this.out.write(this.tty ? `\r\x1b[K${text}` : `${text}\n`);
  }
}

function fmtTime(s: number): string {
  const m = Math.floor(s / 60);
  return `${m}:${String(Math.round(s % 60)).padStart(2, '0')}`;
}
