/**
 * Error codes are one string-literal union (`ErrorCode`, src/errors.ts): the compiler refuses a code
 * that is not in it, where an error is thrown and where one is compared, and `hasCode` narrows an
 * error caught as `unknown` without a cast.
 */
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { AgentTeamError, hasCode, OperationError, TransitionError, UsageError } from '../../src/errors.js';

const ERRORS = fileURLToPath(new URL('../../src/errors.ts', import.meta.url));

/**
 * Type-checks each snippet (a module importing src/errors.ts, never written to disk) in one program and
 * returns each one's diagnostics, one line each.
 */
function typeErrors(snippets: string[]): string[][] {
  const files = snippets.map((_, i) => fileURLToPath(new URL(`../../src/__error-codes-check-${i}.ts`, import.meta.url)));
  const sources = new Map(files.map((f, i) => [f, `import { AgentTeamError, hasCode, OperationError, UsageError } from './errors.js';\n${snippets[i]}\nexport {};\n`]));
  const options: ts.CompilerOptions = { strict: true, noEmit: true, skipLibCheck: true, noUnusedLocals: false, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, lib: ['lib.es2022.d.ts'], types: [] }; // no @types/node: src/errors.ts's own diagnostics are not looked at
  const host = ts.createCompilerHost(options);
  const read = host.readFile.bind(host);
  host.readFile = (name) => sources.get(name) ?? read(name);
  const exists = host.fileExists.bind(host);
  host.fileExists = (name) => sources.has(name) || exists(name);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language) => (sources.has(name) ? ts.createSourceFile(name, sources.get(name) as string, language) : getSourceFile(name, language));
  const program = ts.createProgram([...files, ERRORS], options, host);
  const diagnostics = ts.getPreEmitDiagnostics(program);
  return files.map((f) => diagnostics.filter((d) => d.file?.fileName === f).map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' ')));
}

describe('error codes', () => {
  it('the compiler refuses a code outside ErrorCode when throwing and when comparing', () => {
    const [known, typo, unknown, compared, comparedTypo, equality] = typeErrors([
      `throw new OperationError('x', { code: 'pane_gone' });`,
      `throw new OperationError('x', { code: 'pane_gonne' });`,
      `new UsageError('x', { code: 'no_such_code' });`,
      `export function f(e: unknown) { return hasCode(e, 'merge_conflict', 'unknown_branch') ? e.code : undefined; }`,
      `export function f(e: unknown) { return hasCode(e, 'merge_conflcit'); }`,
      `export function f(e: AgentTeamError) { return e.code === 'pane_gonne'; }`,
    ]);
    expect(known).toEqual([]);
    expect(typo?.join('\n')).toMatch(/"pane_gonne"/);
    expect(unknown?.join('\n')).toMatch(/"no_such_code"/);
    expect(compared).toEqual([]);
    expect(comparedTypo?.join('\n')).toMatch(/"merge_conflcit"/);
    expect(equality?.join('\n')).toMatch(/no overlap/);
  });

  it('hasCode: only an agent-team error with one of the codes, narrowed without a cast', () => {
    const gone = new OperationError('pane %1 is gone', { code: 'pane_gone' });
    expect(hasCode(gone, 'pane_gone')).toBe(true);
    expect(hasCode(gone, 'not_running', 'pane_gone')).toBe(true);
    expect(hasCode(gone, 'not_running')).toBe(false);
    expect(hasCode(new TransitionError('no'), 'transition_refused')).toBe(true);
    expect(hasCode(new UsageError('bad'), 'usage')).toBe(true);
    // an OS error or a plain object with a code of the same name is not ours
    expect(hasCode(Object.assign(new Error('x'), { code: 'pane_gone' }), 'pane_gone')).toBe(false);
    expect(hasCode({ code: 'pane_gone' }, 'pane_gone')).toBe(false);
    expect(hasCode(undefined, 'pane_gone')).toBe(false);
    const caught: unknown = gone;
    if (hasCode(caught, 'pane_gone')) expect(caught).toBeInstanceOf(AgentTeamError);
  });
});
