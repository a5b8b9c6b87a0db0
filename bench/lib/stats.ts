/** The few statistics the suites report: median, best and worst of a set of samples. */

function sorted(samples: readonly number[]): number[] {
  if (samples.length === 0) throw new Error('No samples');
  return [...samples].sort((a, b) => a - b);
}

/** The middle sample (the mean of the two middle ones for an even count). */
export function median(samples: readonly number[]): number {
  const s = sorted(samples);
  const mid = s.length >> 1;
  // Both indexes are in range: s is non-empty and mid < s.length.
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function max(samples: readonly number[]): number {
  return sorted(samples).at(-1)!;
}

export function min(samples: readonly number[]): number {
  return sorted(samples)[0]!;
}
