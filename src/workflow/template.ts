/** Loading a workflow template from disk: parse, validate, hash. */
import { OperationError } from '../errors.js';
import { readFileBounded, SIZE_LIMIT } from '../store/read-file.js';
import { createHash } from 'node:crypto';
import { parseYamlText, type LoadedYaml } from '../store/yaml-file.js';
import type { WorkflowNode, WorkflowTemplate } from './schema.js';
import { validateTemplate, type Problem } from './validate.js';

/** A template read from disk and found valid. `hash` is `sha256:<hex>` of the file's bytes. */
export interface LoadedTemplate {
  path: string;
  template: WorkflowTemplate;
  hash: string;
  warnings: Problem[];
  /** Nodes by id. */
  nodes: Map<string, WorkflowNode>;
}

/** `sha256:<64 hex>` of the given bytes: how a run-state records the template it was started from. */
export function hashBytes(bytes: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Reads the file at `path` and returns the bytes and the parsed YAML. Throws UnreadableFileError (exit 2). */
export function readTemplateFile(path: string): { bytes: Buffer; loaded: LoadedYaml } {
  const { bytes } = readFileBounded(path, { limit: SIZE_LIMIT.template, what: 'workflow template' });
  return { bytes, loaded: parseYamlText(path, bytes) };
}

/**
 * Reads and validates a template. Throws UnreadableFileError (exit 2) for unreadable/non-YAML files and
 * OperationError (exit 1, code `invalid_workflow`, details.errors = Problem[]) when validation fails.
 */
export function loadTemplate(path: string): LoadedTemplate {
  const { bytes, loaded } = readTemplateFile(path);
  const result = validateTemplate(loaded);
  if (!result.template) {
    const first = result.errors[0];
    throw new OperationError(
      `${path}: workflow is invalid (${result.errors.length} problem${result.errors.length === 1 ? '' : 's'}); first: ${first ? `${first.line}:${first.col} ${first.message}` : 'unknown'}`,
      { code: 'invalid_workflow', hint: `agent-team workflow validate ${path}`, details: { errors: result.errors } },
    );
  }
  const nodes = new Map(result.template.nodes.map((n) => [n.id, n]));
  return { path, template: result.template, hash: hashBytes(bytes), warnings: result.warnings, nodes };
}
