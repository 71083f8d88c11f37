/** Durations on the command line (`--timeout`): `90`, `90s`, `500ms`, `10m`, `1h`, `1m30s`. */
import { UsageError } from '../errors.js';

/** The wait of `--wait` without `--timeout`. */
export const DEFAULT_WAIT = '10m';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Milliseconds in `text`: a whole number of seconds, or one or more `<number><unit>` parts (units ms, s, m,
 * h; e.g. `1m30s`). Throws UsageError (exit 2) naming `flag` for anything else, zero or more than a day.
 */
export function parseDuration(text: string, flag: string): number {
  const trimmed = text.trim();
  let ms = 0;
  if (/^\d+$/.test(trimmed)) ms = Number(trimmed) * 1000;
  else if (/^(\d+(?:\.\d+)?(?:ms|s|m|h))+$/.test(trimmed)) {
    for (const [, n, unit] of trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) ms += Number(n) * (UNIT_MS[unit as string] ?? 0);
  } else {
    throw new UsageError(`${flag} ${JSON.stringify(text)}: give a duration such as 90s, 10m or 1h (a plain number is seconds)`, { code: 'invalid_duration' });
  }
  if (ms <= 0 || ms > 86_400_000) throw new UsageError(`${flag} ${text}: give a duration above zero and at most 24h`, { code: 'invalid_duration' });
  return Math.round(ms);
}
