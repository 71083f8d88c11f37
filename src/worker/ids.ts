/**
 * Names and ids: role names and worker ids become folder and branch names, so both must match
 * {@link ID_NAME} before any file or git operation. Worker ids are `<role>-NNN` (3 digits, as the
 * Go `NextWorkerID`), numbered past every id already used by a config folder, a worktree or a branch.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { OperationError, UsageError } from '../errors.js';
import { listBranches } from '../git/repo.js';
import { ID_NAME } from '../workflow/names.js';
import { BRANCH_PREFIX, workersDir, worktreeBase } from './paths.js';

/** Throws UsageError (exit 2) unless `value` matches {@link ID_NAME}; `what` names it ("role", "worker id"). */
export function assertName(what: string, value: string | undefined): string {
  if (value === undefined || !ID_NAME.test(value) || value.length > 100) {
    throw new UsageError(`${what} ${JSON.stringify(value ?? '')} is not valid: use lowercase letters, digits and '-', starting with a letter or digit`, {
      code: 'invalid_name',
    });
  }
  return value;
}

const ID = /^(.+)-(\d{3,})$/;

/** Splits `frontend-dev-001` into `{ role: 'frontend-dev', number: 1 }`, or undefined when it is not an id. */
export function parseWorkerId(id: string): { role: string; number: number } | undefined {
  const m = ID.exec(id);
  return m ? { role: m[1] as string, number: Number(m[2]) } : undefined;
}

/** Formats `<role>-NNN` (at least 3 digits, zero-padded like Go's `%03d`). */
export function formatWorkerId(role: string, number: number): string {
  return `${role}-${String(number).padStart(3, '0')}`;
}

/** Numbers used for `role` among `names` (config folders, worktree folders, branch names without `team/`). */
function numbersFor(role: string, names: string[]): number[] {
  return names.map(parseWorkerId).filter((p) => p?.role === role).map((p) => (p as { number: number }).number);
}

/** Config and worktree folder names (sync, no git). */
function folderNames(root: string): string[] {
  const names: string[] = [];
  for (const dir of [workersDir(root), worktreeBase(root)]) {
    if (existsSync(dir)) names.push(...readdirSync(dir));
  }
  return names;
}

/** Worker ids that have a `team/*` branch (empty outside a repository or before the first commit). */
export async function branchWorkerIds(root: string): Promise<string[]> {
  try {
    return (await listBranches(root, BRANCH_PREFIX)).map((b) => b.slice(BRANCH_PREFIX.length));
  } catch {
    return [];
  }
}

/** Every number in use for `role`: config folders, worktree folders and `team/*` branches. */
export async function usedNumbers(root: string, role: string): Promise<number[]> {
  return numbersFor(role, [...folderNames(root), ...(await branchWorkerIds(root))]);
}

/** The id `worker create <role>` would hand out now, given the branch ids from {@link branchWorkerIds} (sync). */
export function nextWorkerId(root: string, role: string, branchIds: string[]): string {
  return formatWorkerId(role, Math.max(0, ...numbersFor(role, [...folderNames(root), ...branchIds])) + 1);
}

/**
 * Reserves the next free id for `role` by creating `.agents/workers/<id>/` exclusively (so concurrent
 * creates never get the same id) and returns it. Throws OperationError when no folder can be made.
 */
export async function reserveWorkerId(root: string, role: string): Promise<string> {
  let next = Math.max(0, ...(await usedNumbers(root, role))) + 1;
  mkdirSync(workersDir(root), { recursive: true });
  for (let attempt = 0; attempt < 1000; attempt++, next++) {
    const id = formatWorkerId(role, next);
    try {
      mkdirSync(join(workersDir(root), id));
      return id;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new OperationError(`cannot create ${join(workersDir(root), id)}: ${(err as Error).message}`, { cause: err });
    }
  }
  throw new OperationError(`no free worker id for role ${role}`);
}
