/**
 * What a fix task quotes from a failing check (finding 4): the failing part of the output, not only its
 * end — TAP's `not ok` blocks (innermost first, without the runner's stack), or else the first lines
 * that say what failed followed by the last lines.
 */
import { describe, expect, it } from 'vitest';
import { failureExcerpt } from '../../src/workflow/check-command.js';

describe('failureExcerpt', () => {
  it('TAP: the not ok blocks with name, location and assertion; no stack frames; totals left out', () => {
    const tap = [
      'TAP version 13',
      '# Subtest: math',
      '    # Subtest: adds',
      '    ok 1 - adds',
      '    # Subtest: sums',
      '    not ok 2 - sums',
      '      ---',
      "      location: '/p/test/sum.test.js:4:3'",
      '      error: |-',
      '        Expected values to be strictly equal:',
      '        5 !== 4',
      '      stack: |-',
      '        TestContext.<anonymous> (file:///p/test/sum.test.js:5:41)',
      '        Test.runInAsyncScope (node:async_hooks:206:9)',
      "      code: 'ERR_ASSERTION'",
      '      ...',
      'not ok 1 - math',
      '  ---',
      "  error: '1 subtest failed'",
      '  ...',
      ...Array.from({ length: 50 }, (_, i) => `ok ${i + 2} - other ${i}`),
      '# pass 51',
      '# fail 1',
    ].join('\n');
    const excerpt = failureExcerpt(tap);
    expect(excerpt.startsWith('    not ok 2 - sums')).toBe(true);
    expect(excerpt).toContain('5 !== 4');
    expect(excerpt).toContain("code: 'ERR_ASSERTION'");
    expect(excerpt).toContain('not ok 1 - math');
    expect(excerpt).not.toContain('async_hooks');
    expect(excerpt).not.toContain('# pass');
  });

  it('other runners: the first failing lines, then the end', () => {
    const out = [
      'compiling 40 files',
      'src/a.ts(3,5): error TS2322: Type string is not assignable to type number.',
      '  3 | const n: number = "x";',
      ...Array.from({ length: 100 }, (_, i) => `checked file ${i}`),
      'Found 1 error.',
    ].join('\n');
    const excerpt = failureExcerpt(out);
    expect(excerpt.split('\n')[0]).toBe('src/a.ts(3,5): error TS2322: Type string is not assignable to type number.');
    expect(excerpt).toContain('Found 1 error.');
    expect(excerpt).not.toContain('checked file 50');
  });

  it('no failing words: the last lines, bounded', () => {
    const out = Array.from({ length: 400 }, (_, i) => `step ${i} ${'y'.repeat(30)}`).join('\n');
    const excerpt = failureExcerpt(out);
    expect(excerpt).toContain('step 399');
    expect(excerpt).not.toContain('step 10 ');
    expect(excerpt.length).toBeLessThanOrEqual(2500);
  });
});
