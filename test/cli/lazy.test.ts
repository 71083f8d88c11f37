/** lazy(): a commander action that loads its handler on first call and hands the exit code back. */
import { afterEach, describe, expect, it } from 'vitest';
import { lazy, Program } from '../../src/cli/lazy.js';
import { EXIT } from '../../src/errors.js';

afterEach(() => {
  process.exitCode = undefined;
});

/** A program with one lazily loaded command whose handler returns `exitCode`; counts module loads. */
function program(exitCode: 0 | 1) {
  const loads: string[] = [];
  const calls: Array<[string[], Record<string, unknown>]> = [];
  const handlers = async () => {
    loads.push('handlers');
    return {
      check: (args: string[], options: Record<string, unknown>) => {
        calls.push([args, options]);
        return { json: { ok: exitCode === 0 }, text: '', exitCode };
      },
    };
  };
  const root = new Program('t').exitOverride();
  root.command('check').argument('<file>').argument('[more...]').option('--json').option('--quiet').action(lazy(handlers, 'check'));
  return { root, loads, calls };
}

describe('lazy()', () => {
  it('loads the handler only when its command runs, with positional arguments flattened and the options', async () => {
    const p = program(0);
    expect(p.loads).toEqual([]);
    await p.root.parseAsync(['node', 't', 'check', 'a.yaml', 'b', 'c', '--quiet']);
    expect(p.loads).toEqual(['handlers']);
    expect(p.calls).toEqual([[['a.yaml', 'b', 'c'], { quiet: true }]]);
    expect(p.root.exitCode).toBe(EXIT.ok);
  });

  it('hands the exit code back to the program instead of setting process.exitCode', async () => {
    const p = program(1);
    expect(p.root.exitCode).toBeUndefined();
    await p.root.parseAsync(['node', 't', 'check', 'a.yaml', '--quiet']);
    expect(p.root.exitCode).toBe(EXIT.failed);
    expect(process.exitCode).toBeUndefined();
  });
});
