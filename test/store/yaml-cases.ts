/**
 * Data for the YAML writer and reader tests (test/store/yaml-emit.test.ts, yaml-read.test.ts): strings
 * whose YAML style or meaning is delicate, random strings, nesting, and a run-state shaped like the
 * large-run bench's.
 */

/** Strings whose style js-yaml chooses with care: quoting, ambiguity with other types, YAML 1.1 words, indicators. */
export const TRICKY = [
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
export function randomStrings(count: number, seed: number): string[] {
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
export function nestAt(value: unknown, depth: number, seqFirst: boolean): unknown {
  let v = value;
  for (let d = 0; d < depth; d++) v = (d % 2 === 0) === seqFirst ? [v, 'x'] : { k: v, other: 1 };
  return v;
}

/**
 * A run-state shaped like the bench's large run: node states, a decision log, params, unknown keys. With
 * `delicate` (the default) some texts hold line breaks and `: ` (block scalars, quoting).
 */
export function runState(entries: number, delicate = true): Record<string, unknown> {
  const text = (s: string) => (delicate ? s : s.replace(/\n/g, ' ').replace(/: /g, ' - ').trim());
  const ts = (k: number) => new Date(Date.UTC(2026, 0, 1) + k * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    version: 1,
    run_id: '20260101-000000-big',
    workflow_file: '.agents/workflow/big.yaml',
    workflow_name: 'big',
    workflow_hash: `sha256:${'0'.repeat(64)}`,
    params: { requirement: text('Ship it: now'), count: 3, flags: [true, false, null], nested: { empty: {}, list: [] } },
    status: 'running',
    current_node: 'n5',
    pending_confirmation: '',
    blocking_reason: '',
    role_worker_map: { dev: 'dev-001' },
    node_states: Object.fromEntries(
      Array.from({ length: 10 }, (_, i) => [
        `n${i}`,
        i < 5
          ? { status: 'completed', started_at: ts(i), completed_at: ts(i), worker: 'dev-001', visits: 2, history: [{ status: 'completed', summary: text('first try\nfailed: see log') }] }
          : { status: 'pending', reply: { worker: 'dev-001', message: text('done.\n\n  indented detail\n'), status: 'done', at: ts(i), clean: true } },
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
