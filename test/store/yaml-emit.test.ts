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

const OPTIONS = { indent: 2, lineWidth: -1, noRefs: true, quotingType: '"', sortKeys: false } as const;
const reference = (data: unknown): string => jsYaml.dump(data, OPTIONS);
const dumpString = (s: string): string => jsYaml.dump(s, OPTIONS);

/** Strings whose style js-yaml chooses with care: quoting, ambiguity with other types, YAML 1.1 words, indicators. */
const TRICKY = [
  '', ' ', 'a', 'A_b-c.d/e (f)', 'finished step 3 of the run', ' lead', 'trail ', 'a: b', 'a:b', 'a :b', 'a #b', 'a#b', '#a',
  '- a', '-a', '-', '?', '? a', ':', 'a:', 'null', 'Null', 'NULL', 'nULL', '~', 'true', 'True', 'TRUE', 'tRUE', 'false', 'y', 'Y',
  'yes', 'Yes', 'no', 'NO', 'on', 'On', 'off', 'OFF', 'n', 'N', 'nan', 'NaN', '.nan', '.inf', '-.inf', 'Infinity', '1', '01', '-1',
  '+1', '1.5', '1e3', '0x1F', '0o17', '0b101', '1_000', '12:30', '1:2:3', '<<', '2026-03-13', '2026-03-13T15:30:00Z',
  '2026-03-13T15:30:00.123Z', '2026-03-13 15:30:00', '2026-03-13T15:30:00+02:00', '2026-3-1', "it's", 'say "hi"', '"quoted"',
  "'single'", 'back\\slash', 'tab\there', '\ttab first', 'ünïcode', 'emoji 🎉', '日本語', 'a\u0085b', 'nb\u00a0sp', 'x\u2028y',
  'bell\u0007', 'del\u007f', '[a]', '{a}', 'a, b', 'a,b', '*ref', '&anchor', '!tag', '%x', '@x', '`x', '|x', '>x', '=x', 'http://x.y/z?q=1#f',
  'a\nb', 'a\nb\n', 'a\n\nb\n\n', '\n', '\n\n', ' lead\nline', 'line\n lead', 'a\r\nb', 'trailing space \nx', 'x'.repeat(300),
  'b'.repeat(1030), '__proto__', 'constructor', '0', '-0', 'n500', 'dev-001', 'team/dev-001', 'sha256:abc',
];

/** Deterministic pseudo-random strings over an alphabet of the characters that matter to YAML. */
function randomStrings(count: number, seed: number): string[] {
  const alphabet = ['a', 'Z', '0', '9', ' ', '-', ':', '#', ',', '[', '{', '"', "'", '\\', '.', '_', '/', '\n', '\t', 'é', '!', '&', '*', '?', '|', '>', '%', '@'];
  let x = seed;
  const next = () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const length = Math.floor(next() * 8);
    let s = '';
    for (let j = 0; j < length; j++) s += alphabet[Math.floor(next() * alphabet.length)];
    out.push(s);
  }
  return out;
}

/** `value` placed at nesting depth `depth`, alternately in a map and in a sequence. */
function nestAt(value: unknown, depth: number, seqFirst: boolean): unknown {
  let v = value;
  for (let d = 0; d < depth; d++) v = (d % 2 === 0) === seqFirst ? [v, 'x'] : { k: v, other: 1 };
  return v;
}

/** A run-state shaped like the bench's large run: node states, a decision log, params, unknown keys. */
function runState(entries: number): Record<string, unknown> {
  const ts = (k: number) => new Date(Date.UTC(2026, 0, 1) + k * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    version: 1,
    run_id: '20260101-000000-big',
    workflow_file: '.agents/workflow/big.yaml',
    workflow_name: 'big',
    workflow_hash: `sha256:${'0'.repeat(64)}`,
    params: { requirement: 'Ship it: now', count: 3, flags: [true, false, null], nested: { empty: {}, list: [] } },
    status: 'running',
    current_node: 'n5',
    pending_confirmation: '',
    blocking_reason: '',
    role_worker_map: { dev: 'dev-001' },
    node_states: Object.fromEntries(
      Array.from({ length: 10 }, (_, i) => [
        `n${i}`,
        i < 5
          ? { status: 'completed', started_at: ts(i), completed_at: ts(i), worker: 'dev-001', visits: 2, history: [{ status: 'completed', summary: 'first try\nfailed: see log' }] }
          : { status: 'pending', reply: { worker: 'dev-001', message: 'done.\n\n  indented detail\n', status: 'done', at: ts(i), clean: true } },
      ]),
    ),
    decision_log: Array.from({ length: entries }, (_, k) => ({
      timestamp: ts(k),
      node: `n${k % 10}`,
      action: k % 2 ? 'complete' : 'start',
      ...(k % 2 ? { next_node: `n${(k % 10) + 1}`, summary: `finished step ${k} of the run` } : {}),
      worker: 'dev-001',
      ...(k % 7 === 0 ? { forced: true } : {}),
    })),
    created_at: ts(0),
    updated_at: ts(entries),
    future_field: { from: 'a newer version', values: [[1, 2], [[]], [{}], [{ a: [] }]] },
  };
}

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
