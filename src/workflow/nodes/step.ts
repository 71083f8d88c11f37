/**
 * The shapes shared by every node type's module: the {@link Step} a pure `plan` returns (what `state
 * next` prints, plus the {@link RunAction} `workflow run` performs), and the {@link NodeModule} contract
 * (`plan` + `act`) the table in `index.ts` holds one of per node type.
 */
import type { NodeReply, NodeState, RunState, WorkflowNode, WorkflowTemplate } from '../schema.js';
import type { TransitionAction } from '../transitions.js';
import type { WorkerLookup, WorkerPort } from '../worker-port.js';

/** How the step is driven: `act` (commands to run now), `wait` (for a worker), `decide` (controller judgement), `confirm` (a person must approve), `blocked`, `completed`. */
export type StepKind = 'act' | 'wait' | 'decide' | 'confirm' | 'blocked' | 'completed';

/** One outcome the controller may choose, with the command that records it. */
export interface Choice {
  outcome: string;
  command: string;
}

/** The answer of `workflow state next` (its `--json` document). */
export interface NextStep {
  run_id: string;
  state_file: string;
  run_status: RunState['status'];
  /** The run inputs (`state init --param`), when the run has any. */
  params?: Record<string, unknown>;
  kind: StepKind;
  /** One sentence: what to do and why. */
  message: string;
  node: null | {
    id: string;
    type: WorkflowNode['type'];
    actor: string | null;
    role: string | null;
    worker: string | null;
    /** The worker's activity as its provider reports it (`working`, `idle`, …), null when unknown. */
    activity: string | null;
    status: NodeState['status'];
    visits: number;
  };
  task: string | null;
  requires_confirmation: boolean;
  outcomes: string[];
  /** The node's `command:` (run by `workflow run`), or null. */
  check_command: string | null;
  /** Exact command lines to run now, in order. */
  commands: string[];
  /** For decide/confirm steps: one command per outcome. */
  choices: Choice[];
  /** The signal that ends this step. */
  done_when: string;
  /** Commands to run once `done_when` holds (e.g. complete the node after the worker's reply). */
  then: string[];
  /**
   * A template, not a command: the line that answers a worker who needs input, with `<answer>` to
   * replace (`agent-team reply dev-001 '<answer>'`); null otherwise. Runnable fields never hold placeholders.
   */
  reply_template: string | null;
  /** The last worker reply recorded on the node, if any. */
  reply: NodeReply | null;
  /** Every active node's or instance's step, the first being this one (only on the top-level document). */
  steps?: NextStep[];
  /** When the worker's visit becomes overdue (`timeout:`, RFC 3339), on a step that waits for it; `--wait` wakes then. */
  overdue_at?: string;
  /** What the controller should know (e.g. a `{{…}}` reference left as written because its node is not done yet). */
  warnings: string[];
}

/** Why `workflow run` stopped. */
export type StopReason = 'completed' | 'manual' | 'waiting' | 'decision' | 'confirmation' | 'blocked' | 'max_steps';

/** A transition `workflow run` applies (the same as a printed `workflow state <action>` line). */
export interface Move {
  action: TransitionAction;
  node: string;
  reason?: string;
  outcome?: string;
  worker?: string;
  summary?: string;
}

/** One thing the loop did, as reported by `workflow run` (`steps`). */
export interface RunStepRecord {
  node: string;
  action: string;
  detail: string;
}

/**
 * What `workflow run` does for a step: `stop` (after applying `moves`), `advance` (apply `moves`, go on),
 * `assign` (reserve a worker, open it, give it the task), `resume` (apply `moves`, reopen the stopped worker
 * `reopen`, then type `resend` (the recorded change again) or, for runs without a recorded assignment,
 * assign `reassign`; or finish `redeliver`, a change typed into a running agent but never confirmed; then stop
 * waiting), `check` (run the node's command), `merge` (merge the worker's branch; with `found`, only record it
 * as merged), `train` (merge the branches as one train; with `found`, likewise).
 */
export type RunAction =
  | { kind: 'stop'; stopped: StopReason; why: string; moves?: Move[]; record?: Omit<RunStepRecord, 'node'> }
  | { kind: 'advance'; moves: Move[]; record?: Omit<RunStepRecord, 'node'> }
  | { kind: 'assign'; text: string; buildsOn: string[] }
  | { kind: 'resume'; moves?: Move[]; reopen?: string; reassign?: string; resend?: { change: string; text: string }; redeliver?: { worker: string; change: string; text: string }; detail?: string; why: string }
  | { kind: 'check'; command: string; worker: string | null; start: boolean; buildsOn: string[] }
  | { kind: 'merge'; worker: string; start: boolean; found?: FoundMerged }
  | { kind: 'train'; workers: string[]; command: string | null; start: boolean; found?: FoundMerged };

/** A merge node whose branches were found already in the current branch `into`: completed with `summary`, nothing merged, no approval needed (checked again before). */
export interface FoundMerged {
  into: string;
  summary: string;
}

/** A planned step: what `next` prints and what `run` does, computed once by the node type's `plan`. */
export interface Step {
  next: NextStep;
  action: RunAction;
  /** The node the step is for (a for_each instance has its own id and task). */
  node?: WorkflowNode;
}

/** Everything a `plan` reads: the run, its template, the node and the worker facts. Pure data. */
export interface PlanContext {
  state: RunState;
  template: WorkflowTemplate;
  /** The path as the controller typed it (echoed in command lines). */
  stateFile: string;
  lookup: WorkerLookup;
  node: WorkflowNode;
  ns: NodeState;
  role: string | null;
  /** The worker recorded for this visit, else the run's worker for the actor. */
  assigned: string | null;
  outcomes: string[];
  /** The node was started in this visit (status is not pending). */
  started: boolean;
  /** The node's task with the run's values filled in (`{{…}}`), or null. */
  task: string | null;
  /** The node's command with the run's values filled in, shell-quoted, or null. */
  command: string | null;
  /** Builds a step for this node: the `next` document (defaults filled in) and the run action. */
  step(kind: StepKind, message: string, fields: Partial<NextStep>, action: RunAction): Step;
}

/** The effects `act` may use, bound to one run. `move` applies a transition under the run lock. */
export interface ActIO {
  port: WorkerPort;
  stateFile: string;
  cwd: string;
  template: WorkflowTemplate;
  /**
   * Whether the person approved the merge at visit `visits` of node `id`: `workflow run --yes` approves
   * the merges that were waiting for approval when the command started ({@link ../controller.ts
   * awaitingApproval}), not one the run reaches later in the same call, nor a later visit of the same
   * node (a loop back to the merge), which nobody has seen yet.
   */
  approved(id: string, visits: number): boolean;
  /** Runs again a check whose earlier run did not finish (`workflow run --rerun-check`). */
  rerunCheck?: boolean;
  move(move: Move): Promise<void>;
  record(node: string, action: string, detail: string): void;
  /** Called once the worker is chosen and recorded (assign steps), so `workflow run` can start the next assignment while this one opens its worker. */
  reserved?(): void;
}

/** What `act` reports: go on with the next step, or stop with a reason. */
export type ActResult = { stopped: null } | { stopped: StopReason; why: string };

/** One node type: a pure `plan` (run-state in, step out) and an `act` (does the step through the port). */
export interface NodeModule {
  plan(ctx: PlanContext): Step;
  act(step: Step, node: WorkflowNode, io: ActIO): Promise<ActResult>;
}
