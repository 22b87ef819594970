// Stable run colours: a hash of the run's id picks the hue, so a run keeps its colour across
// reloads, panels and machines, whatever other runs are shown (users of DVC's plots complained
// about colours that move). Saturation and lightness are fixed at values readable on light, dark
// and high-contrast backgrounds.

/** FNV-1a, 32 bit: small, fast and well spread for short strings. */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function runColor(id: string): string {
  const h = hash32(id);
  // golden-angle steps spread neighbouring hashes apart on the wheel
  const hue = Math.round((h * 137.508) % 360);
  const light = 50 + ((h >>> 9) % 3) * 6;
  return `hsl(${hue}, 70%, ${light}%)`;
}
