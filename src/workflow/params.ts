/**
 * Run inputs: the values given at `state init --param name=value` / `--params-file F`, checked against
 * the template's `params:` declarations (type, enum values, required, default) and stored in the
 * run-state's `params:`. Errors are UsageError (exit 2) naming the param, the expected type and the fix.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { UnreadableFileError, UsageError } from '../errors.js';
import { parseYamlData } from '../store/yaml-file.js';
import type { ParamDecl, WorkflowTemplate } from './schema.js';
import { shellQuote as q } from '../shell-quote.js';

/** A run's param values after checking: name → string | number | boolean | list of those. */
export type ParamValues = Record<string, unknown>;

/** Splits `name=value` (from `--param`); the value may contain `=`. Throws UsageError without `=`. */
export function splitParam(arg: string): [string, string] {
  const at = arg.indexOf('=');
  if (at <= 0) throw new UsageError(`--param ${JSON.stringify(arg)}: give name=value, e.g. --param requirement="Add a login page"`, { code: 'invalid_param' });
  return [arg.slice(0, at), arg.slice(at + 1)];
}

function expected(decl: ParamDecl): string {
  if (decl.type === 'enum') return `one of ${(decl.values ?? []).map(String).join(', ')}`;
  if (decl.type === 'list') return 'a list (in --params-file, or a comma-separated --param value)';
  return `a ${decl.type}`;
}

/**
 * One value for `decl`: strings from `--param` are converted (number, `true`/`false`, comma-separated
 * list); values from a params file must already have the type (a list may also be a string). Throws
 * UsageError naming the param and the expected type.
 */
export function coerceParam(name: string, decl: ParamDecl, value: unknown, fromText: boolean): unknown {
  const fail = (): never => {
    throw new UsageError(`param ${name}: ${JSON.stringify(value)} is not ${expected(decl)}`, { code: 'invalid_param', hint: `give --param ${q(name)}=${q(placeholder(decl))}` });
  };
  switch (decl.type) {
    case 'string':
      if (typeof value === 'string') return value;
      if (typeof value === 'number' || typeof value === 'boolean') return String(value);
      return fail();
    case 'number': {
      if (typeof value === 'number' && Number.isFinite(value)) return value;
      if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
      return fail();
    }
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (fromText && typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
      return fail();
    case 'enum': {
      const values = decl.values ?? [];
      const hit = values.find((v) => v === value || String(v) === String(value));
      return hit === undefined ? fail() : hit;
    }
    case 'list':
      if (Array.isArray(value) && value.every((v) => ['string', 'number', 'boolean'].includes(typeof v))) return value;
      if (typeof value === 'string') return value.split(',').map((v) => v.trim()).filter((v) => v !== '');
      return fail();
  }
}

/** The `state init` command line as the caller gave it (paths as typed, relative to its folder), repeated by a refusal's hint. */
export interface InitCommandLine {
  workflowFile: string;
  stateFile?: string;
  runId?: string;
  paramsFile?: string;
}

/**
 * A value `--param` accepts for `decl`, for a hint: the declared default; else, where the type holds
 * text, a placeholder to replace (`<the description>`, `<item>,<item>`); else an example (the first
 * enum value, `0`, `true`), so the printed command runs as pasted.
 */
function placeholder(decl: ParamDecl): string {
  if (decl.default !== undefined && decl.default !== null) return Array.isArray(decl.default) ? decl.default.map(String).join(',') : String(decl.default);
  switch (decl.type) {
    case 'string':
      return `<${decl.description?.trim() || 'a string'}>`;
    case 'list':
      return '<item>,<item>';
    case 'number':
      return '0';
    case 'boolean':
      return 'true';
    case 'enum':
      return String(decl.values?.[0] ?? '');
  }
}

/**
 * The `state init` line of `command` with every `--param` of `texts`, where `name` gets `value`
 * (in its place, or added last): a whole command, shell-quoted, that runs as pasted.
 */
function initLine(command: InitCommandLine, texts: [string, string][], name: string, value: string): string {
  const params = texts.some(([k]) => k === name) ? texts.map(([k, v]): [string, string] => [k, k === name ? value : v]) : [...texts, [name, value] as [string, string]];
  return [
    `agent-team workflow state init ${q(command.workflowFile)}`,
    ...(command.stateFile !== undefined ? [`--state-file ${q(command.stateFile)}`] : []),
    ...(command.runId !== undefined ? [`--run-id ${q(command.runId)}`] : []),
    ...(command.paramsFile !== undefined ? [`--params-file ${q(command.paramsFile)}`] : []),
    ...params.map(([k, v]) => `--param ${q(k)}=${q(v)}`),
  ].join(' ');
}

/**
 * The params of a new run: `given` (from `--params-file`, typed) merged with `texts` (from `--param`,
 * strings; they win), each checked against `template.params`; defaults filled in. Throws UsageError for
 * an unknown param (with the declared names), a wrong type, a missing required one, or a value that is
 * exactly the placeholder a hint printed for it (`<the description>`, `<item>,<item>`); with `command`,
 * the hint of a wrong or missing one is that command again with a value to replace for it.
 */
export function resolveParams(template: WorkflowTemplate, given: Record<string, unknown>, texts: [string, string][], command?: InitCommandLine): ParamValues {
  const decls = template.params ?? {};
  const names = Object.keys(decls);
  const out: ParamValues = {};
  const check = (name: string) => {
    const decl = decls[name];
    if (!decl) {
      throw new UsageError(`param ${name}: workflow ${template.name} declares no such param`, {
        code: 'unknown_param',
        hint: names.length ? `its params are: ${names.join(', ')}` : `add it under params: in the template, or drop it`,
      });
    }
    return decl;
  };
  const hint = (name: string, decl: ParamDecl) => (command ? initLine(command, texts, name, placeholder(decl)) : `give --param ${q(name)}=${q(placeholder(decl))}`);
  const coerce = (name: string, value: unknown, fromText: boolean) => {
    const decl = check(name);
    // the hint's placeholder pasted as printed: refused, never a run with `<…>` as its input
    const shown = placeholder(decl);
    if (shown.startsWith('<') && (value === shown || (Array.isArray(value) && value.join(',') === shown))) {
      throw new UsageError(`param ${name}: ${q(shown)} is the placeholder a hint printed, not a value; give the real ${name}${decl.description ? ` (${decl.description})` : ''} in its place`, {
        code: 'invalid_param',
        hint: command ? `replace ${q(shown)} with the value in: ${hint(name, decl)}` : `give --param ${q(name)}=<value>`,
      });
    }
    try {
      return coerceParam(name, decl, value, fromText);
    } catch (err) {
      if (err instanceof UsageError && command) throw new UsageError(err.message, { code: 'invalid_param', hint: hint(name, decl) });
      throw err;
    }
  };
  for (const [name, value] of Object.entries(given)) out[name] = coerce(name, value, false);
  for (const [name, text] of texts) out[name] = coerce(name, text, true);
  for (const [name, decl] of Object.entries(decls)) {
    if (name in out) continue;
    if (decl.default !== undefined) out[name] = coerceParam(name, decl, decl.default, false);
    else if (decl.required) {
      throw new UsageError(`param ${name} is required by workflow ${template.name}${decl.description ? ` (${decl.description})` : ''}`, {
        code: 'missing_param',
        hint: hint(name, decl),
      });
    }
  }
  return out;
}

/**
 * Reads `--params-file F` (YAML or JSON: a mapping name → value). Throws UnreadableFileError (exit 2)
 * naming the file when it cannot be read, does not parse or is not a mapping.
 */
export function readParamsFile(file: string, cwd = process.cwd()): Record<string, unknown> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(resolve(cwd, file));
  } catch (err) {
    throw new UnreadableFileError(file, `cannot read the params file (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err });
  }
  const data = parseYamlData(file, bytes);
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new UnreadableFileError(file, 'is not a params file: expected a mapping such as `requirement: Add a login page`');
  }
  return data as Record<string, unknown>;
}
