/**
 * What the workflow layer needs from workers, as interfaces: {@link WorkerLookup} (synchronous facts,
 * enough for the pure `plan` of every node type) and {@link WorkerPort} (the effects `act` performs).
 * Implemented in `src/worker/port.ts` over real git and session backends; tests use a recording fake.
 */

/** What the caller knows about workers (from `.agents/workers/` and the session backend). */
export interface WorkerLookup {
  /** Whether `.agents/workers/<id>/worker.yaml` exists. */
  exists(id: string): boolean;
  /** Whether the worker's provider is running (undefined when unknown). */
  running?(id: string): boolean | undefined;
  /** The id `worker create <role>` would hand out now, e.g. `qa-001`. */
  nextId(role: string): string;
  /** An idle worker of `role` that `workflow run` would reuse (`reuse_worker`), when the caller looked one up. */
  idle?(role: string): string | undefined;
  /** Whether another active run has an open assignment on the worker (it must not be given a second task). */
  busy?(id: string): boolean;
  /** The worker's activity (`ready`, `working`, `idle`, `needs-input`…) when its provider reports one (issue 8). */
  activity?(id: string): string | undefined;
  /** Why the worker is in its activity (the dialog, the question, the reset time), its pane's last lines and the command that shows the pane. */
  activityDetail?(id: string): { reason?: string; screen?: string[]; attach?: string } | undefined;
  /** Workers of `role` (ids), for listing candidates. */
  workersOf?(role: string): string[];
  /**
   * The current branch (`main`) when every commit of `team/<id>` is already in it (a merge finished after
   * agent-team was stopped, or the branch has nothing new), else undefined; read when the caller was made.
   */
  mergedInto?(id: string): string | undefined;
  /** Descriptions of the worker's open changes (status not done/archived/superseded), oldest first. */
  openChanges?(id: string): { change: string; description: string }[];
  /** Whether the change (`.tasks/changes/<name>/`) was typed into the worker's agent but never confirmed delivered (its CLI was killed while typing). */
  undelivered?(id: string, change: string): boolean;
  /** The answers kept on the worker's change (`.tasks/changes/<name>/`, change.yaml `answers:`); none when it cannot be read. */
  changeAnswers?(id: string, change: string): { at: string; question?: string; text: string }[];
  /** Whether `branch` holds `other` (`git merge-base --is-ancestor other branch`); undefined when git cannot tell (unknown ref). */
  contains?(branch: string, other: string): boolean | undefined;
}

/** Options of {@link WorkerPort.assign}. */
export interface AssignHooks {
  /** Called with the change folder (relative to the worktree, `.tasks/changes/<name>/`) after it is made and before anything is typed. */
  beforeType?(change: string): Promise<void>;
  /** Branches merged into the worker's branch before the change is made (a conflict throws OperationError `merge_conflict`). */
  buildsOn?: string[];
  /** Answers given on the change this task takes over (a reassigned node): kept on the new change and given with it. */
  answers?: { at: string; question?: string; text: string }[];
}

/** Worker operations the controller loop needs; every method may throw OperationError. */
export interface WorkerPort extends WorkerLookup {
  /** Whether another active run has an open assignment on the worker (snapshot taken when the port was made). */
  busy(id: string): boolean;
  /** An existing idle worker of `role` (clean worktree, no open assignment) other than `exclude`, for `reuse_worker`. */
  findIdle(role: string, exclude: string[]): Promise<string | undefined>;
  /** Creates a worker for `role` (no worktree yet) and returns its id. */
  create(role: string): Promise<string>;
  /** Opens the worker (worktree, pane, provider) unless it is running; `opened` when it had to. */
  open(id: string): Promise<{ opened: boolean }>;
  /** Gives the worker a change and types the assignment; returns the change folder (absolute). */
  assign(id: string, description: string, hooks?: AssignHooks): Promise<{ change: string }>;
  /** The head commit of `team/<id>` (undefined when the branch does not exist yet). */
  head?(id: string): Promise<string | undefined>;
  /**
   * Merges `branches` into the worker's branch in its worktree (fast-forward, else a merge commit), in
   * order; returns the ones that brought commits. A conflict is aborted (branch as it was) and thrown as
   * OperationError `merge_conflict` naming the files.
   */
  buildOn?(id: string, branches: string[]): Promise<{ merged: string[] }>;
  /**
   * Starts `team/<id>` afresh from the current branch when it holds commits that branch does not (an
   * earlier run's work), keeping them on the backup branch it names; undefined when there were none.
   * `reset: false` when the branch was left as it was (uncommitted work, or git refused), with `reason`.
   */
  startAfresh?(id: string): Promise<{ upstream: string; commits: string[]; backup: string; reset: boolean; reason?: string } | undefined>;
  /**
   * Types the assignment of the existing change folder `change` again (a restarted agent); no new change
   * is made. A change never confirmed delivered to a running agent is finished instead (submitted from the
   * input box, or typed again when the box is empty); `redelivery` then says which.
   */
  resend?(id: string, change: string, description: string): Promise<{ redelivery?: 'taken' | 'entered' | 'typed-again' } | void>;
  /** Sets the status of a change folder (`.tasks/changes/<name>/`) of the worker (e.g. `superseded`). */
  setChangeStatus?(id: string, change: string, status: string): void;
  /** Like {@link WorkerLookup.mergedInto} for all of `ids` at once, read from git now (the branches may have moved since the port was made). */
  checkMergedInto?(ids: string[]): Promise<string | undefined>;
  /** Merges `team/<id>` into the current branch; throws OperationError on conflict (branch unchanged). */
  merge(id: string): Promise<{ summary: string }>;
  /**
   * Merges the workers' branches `team/<id>` (in order) all or nothing into the current branch (a merge
   * train: temporary integration branch, `check` there, then fast-forward); throws OperationError with the
   * branch and files on a conflict or failed check, the branch unchanged; `warnings` says what a killed
   * train had left behind and was removed first. Optional: ports without it cannot run merge trains.
   */
  mergeTrain?(ids: string[], options: { name: string; check?: (dir: string) => Promise<{ passed: boolean; summary: string }> }): Promise<{ summary: string; warnings?: string[] }>;
  /** The worker's worktree folder, when created. */
  worktree(id: string): string | undefined;
}
