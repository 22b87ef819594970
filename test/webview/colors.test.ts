// Run colours: stable per run id, and always readable (>= 3:1, WCAG's graphics minimum) on the
// backgrounds of VS Code's dark, light and both high-contrast themes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MIN_LINE_CONTRAST, contrastRatio, hslStringToRgb, parseColor, runColor } from '../../webview/dashboard/colors';

const BACKGROUNDS = { 'Dark Modern': '#1f1f1f', 'Light Modern': '#ffffff', 'High Contrast (dark)': '#000000', 'High Contrast Light': '#ffffff', 'Solarized Light': 'rgb(253, 246, 227)' };

test('every run colour has >= 3:1 contrast on dark, light and high-contrast backgrounds', () => {
  for (const [theme, bg] of Object.entries(BACKGROUNDS)) {
    let worst = Infinity;
    for (let i = 0; i < 2000; i++) {
      const c = hslStringToRgb(runColor(`run-${i}`, bg))!;
      worst = Math.min(worst, contrastRatio(c, parseColor(bg)!));
    }
    assert.ok(worst >= MIN_LINE_CONTRAST, `${theme}: worst contrast ${worst.toFixed(2)}`);
  }
});

test('a run keeps its hue across themes and its colour across calls; only the lightness moves', () => {
  const hue = (css: string) => Number(/^hsl\((\d+)/.exec(css)![1]);
  for (let i = 0; i < 200; i++) {
    const id = `r${i}`;
    assert.equal(runColor(id, '#ffffff'), runColor(id, '#ffffff'));
    assert.equal(hue(runColor(id, '#000000')), hue(runColor(id, '#ffffff')));
  }
  // a yellow that is fine on black is darkened on white
  const yellowish = Array.from({ length: 500 }, (_, i) => `y${i}`).find((id) => hue(runColor(id)) >= 50 && hue(runColor(id)) <= 65)!;
  const light = (css: string) => Number(/(\d+)%\)$/.exec(css)![1]);
  assert.ok(light(runColor(yellowish, '#ffffff')) < light(runColor(yellowish, '#000000')));
});

test('parseColor reads what getComputedStyle and the --vscode-* variables hold', () => {
  assert.deepEqual(parseColor('#fff'), [255, 255, 255]);
  assert.deepEqual(parseColor('#1f1f1f'), [31, 31, 31]);
  assert.deepEqual(parseColor('#1f1f1f80'), [31, 31, 31]);
  assert.deepEqual(parseColor('rgb(253, 246, 227)'), [253, 246, 227]);
  assert.deepEqual(parseColor('rgba(0, 0, 0, 0.5)'), [0, 0, 0]);
  assert.equal(parseColor('var(--x)'), undefined);
});
