/**
 * The fast run-state writer (src/store/yaml-emit.ts) must write exactly what js-yaml's `dump` writes
 * with the run-state options: the same bytes on disk as before it existed (the Go version and older
 * agent-team read them; test/workflow/go-compat pins the layout). Each case compares the two on one
 * shape; data the writer does not reproduce must make it give up, and `toYamlFast` then still writes
 * js-yaml's bytes.
 */
import jsYaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { emitBlockYaml } from '../../src/store/yaml-emit.js';
import { toYamlFast } from '../../src/store/yaml-file.js';
import { nestAt, randomStrings, runState, TRICKY } from './yaml-cases.js';

const OPTIONS = { indent: 2, lineWidth: -1, noRefs: true, quotingType: '"', sortKeys: false } as const;
const reference = (data: unknown): string => jsYaml.dump(data, OPTIONS);
const dumpString = (s: string): string => jsYaml.dump(s, OPTIONS);

describe('emitBlockYaml writes what js-yaml dump writes', () => {
  it('a run-state shaped like the large-run bench (node states, a decision log, params, unknown keys)', () => {
    const data = runState(2000);
    const fast = emitBlockYaml(data, dumpString);
    expect(fast).toBeDefined(); // the fast path is taken for run-states
    expect(fast).toBe(reference(data));
  });

  it('every tricky string, as a value and as a key, at every depth, in maps and in sequences', () => {
    for (const s of TRICKY) {
      for (let depth = 0; depth <= 4; depth++) {
        for (const seqFirst of [false, true]) {
          const asValue = nestAt(s, depth, seqFirst);
          expect(emitBlockYaml(asValue, dumpString), JSON.stringify([s, depth, seqFirst])).toBe(reference(asValue));
          if (s.includes('\n') || s.length > 1024) continue; // keys: below
          const asKey = nestAt({ [s]: s, after: [s] }, depth, seqFirst);
          expect(emitBlockYaml(asKey, dumpString), JSON.stringify(['key', s, depth, seqFirst])).toBe(reference(asKey));
        }
      }
    }
  });

  it('random strings over the characters that matter to YAML', () => {
    const strings = randomStrings(3000, 7);
    const data = { list: strings, map: Object.fromEntries(strings.filter((s) => !s.includes('\n')).map((s, i) => [s, [s, { [`k${i}`]: s }]])) };
    expect(emitBlockYaml(data, dumpString)).toBe(reference(data));
  });

  it('numbers, booleans, null, empty maps and sequences, nested sequences', () => {
    const data = { ints: [0, 1, -1, 42, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER], flags: [true, false], none: null, e: {}, l: [], ll: [[], [[1]], [{}, { a: { b: [] } }]] };
    expect(emitBlockYaml(data, dumpString)).toBe(reference(data));
    for (const top of [{}, [], 'text', 'multi\nline', 7, true, null]) expect(emitBlockYaml(top, dumpString)).toBe(reference(top));
  });

  it('gives up on what it does not reproduce, and toYamlFast still writes js-yaml\'s bytes', () => {
    const unsupported: unknown[] = [
      { f: 1.5 },
      { n: Number.NaN },
      { z: -0 },
      { big: 2 ** 60 },
      { u: undefined },
      { d: new Date(0) },
      // eslint-disable-next-line no-sparse-arrays
      { hole: [1, , 3] },
      { [`${'k'.repeat(1100)}`]: 1 },
      { 'multi\nline key': 1 },
      { proto: Object.create(null) as object },
    ];
    for (const data of unsupported) {
      expect(emitBlockYaml(data, dumpString), JSON.stringify(Object.keys(data as object))).toBeUndefined();
      expect(toYamlFast(data)).toBe(reference(data));
    }
    expect(toYamlFast(runState(50))).toBe(reference(runState(50)));
  });
});
