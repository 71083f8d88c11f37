/**
 * `agent-team mcp` end to end: the built CLI serves MCP on stdio, and the MCP SDK's own client drives a
 * run to completed with the tools alone (the worker is the scripted stand-in agent on the headless
 * process backend). Each tool's text is the CLI's `--json` document for the same command (compared
 * byte for byte where the command is read-only), failures carry the CLI's error code and exit code, and
 * stdout carries nothing but the protocol.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cli } from '../helpers/cli.js';
import { makeTeam, type Team } from '../controller/support.js';
import '../workflow/fresh-build.js';

const FLOW = `version: 1
name: greet
roles:
    dev: { role: dev }
entry: build
nodes:
    - id: build
      type: assign_role_task
      actor: dev
      task: Write the greeting file
      next: finish
    - id: finish
      type: controller_task
      task: Check the greeting and close the run
      requires_confirmation: true
      end: true
`;

/** What a tool call returned, parsed: the JSON document, isError, the exit code and the warnings. */
interface ToolResult {
  json: any;
  text: string;
  isError: boolean;
  exitCode: number;
  warnings: string[];
}

describe('agent-team mcp', () => {
  let team: Team;
  let client: Client;
  let stderr = '';

  const call = async (name: string, args: Record<string, unknown> = {}): Promise<ToolResult> => {
    const r: any = await client.callTool({ name, arguments: args });
    const [first, ...rest] = r.content as { type: string; text: string }[];
    return { json: JSON.parse(first?.text ?? 'null'), text: first?.text ?? '', isError: r.isError === true, exitCode: r._meta?.exit_code, warnings: rest.map((c) => c.text) };
  };
  /** The CLI's stdout for the same command with --json. */
  const cliJson = (...args: string[]) => team.at([...args, '--json']).stdout.trim();

  beforeAll(async () => {
    team = await makeTeam({
      backend: 'process',
      workflows: { greet: FLOW },
      playbook: [{ match: 'Write the greeting file', files: { 'greeting.txt': 'hello\n' }, commit: 'Add greeting', reply: 'Task completed: greeting written' }],
    });
    const env = Object.fromEntries(Object.entries({ ...process.env, NO_COLOR: '1', ...team.env }).filter((e): e is [string, string] => e[1] !== undefined));
    const transport = new StdioClientTransport({ command: process.execPath, args: [BIN, 'mcp'], cwd: team.root, env, stderr: 'pipe' });
    transport.stderr?.on('data', (d) => (stderr += String(d)));
    client = new Client({ name: 'agent-team-test', version: '1.0.0' });
    await client.connect(transport);
  });
  afterAll(async () => {
    await client?.close();
    await team?.cleanup();
  });

  it('is listed by --help and lists a tool for every step of the loop', async () => {
    expect(cli(['--help'], { cwd: team.root }).stdout).toMatch(/^\s+mcp\b/m);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(
      [
        'create_role',
        'create_workflow',
        'init_run',
        'list_roles',
        'list_runs',
        'next_step',
        'reply',
        'run',
        'show_run',
        'transition',
        'validate_workflow',
        'worker_assign',
        'worker_create',
        'worker_merge',
        'worker_open',
        'worker_status',
      ].sort(),
    );
    expect(tools.find((t) => t.name === 'transition')?.inputSchema.required).toEqual(['state_file', 'action', 'node']);
  });

  it('returns the CLI\'s --json documents and error codes', async () => {
    const valid = await call('validate_workflow', { file: '.agents/workflow/greet.yaml' });
    expect(valid).toMatchObject({ isError: false, exitCode: 0, json: { valid: true } });
    expect(valid.text).toBe(cliJson('workflow', 'validate', '.agents/workflow/greet.yaml'));
    const roles = await call('list_roles');
    expect(roles.text).toBe(cliJson('role', 'list'));
    expect(roles.json.roles.map((r: any) => r.name)).toEqual(['dev', 'qa']);
    expect((await call('list_roles', { extra: 1 })).isError, 'unknown arguments are ignored, not passed on').toBe(false);

    const missing = await call('show_run', { state_file: '.agents/workflow/runs/greet/nope.yaml' });
    expect(missing).toMatchObject({ isError: true, exitCode: 2, json: { ok: false, error: { code: 'unreadable_file' } } });
    expect(missing.text).toBe(cliJson('workflow', 'state', 'show', '.agents/workflow/runs/greet/nope.yaml'));
    const role = await call('create_role', { name: 'reviewer', description: 'Reviews changes' });
    expect(role).toMatchObject({ isError: false, exitCode: 0, json: { ok: true, role: { name: 'reviewer', scope: 'project' } } });
    const again = await call('create_role', { name: 'reviewer' });
    expect(again).toMatchObject({ isError: true, exitCode: 1, json: { ok: false, error: { code: 'role_exists' } } });
    expect(again.text).toBe(cliJson('role', 'create', 'reviewer'));
    const badEnum: any = await client.callTool({ name: 'create_workflow', arguments: { name: 'x', preset: 'nope' } });
    expect(badEnum.isError).toBe(true);
  });

  it('drives a run to completed: init, run, wait for the worker, run, confirm', async () => {
    const init = await call('init_run', { workflow_file: '.agents/workflow/greet.yaml', run_id: 'm1' });
    expect(init).toMatchObject({ isError: false, json: { ok: true, run_id: 'm1', current_node: 'build' } });
    const file = init.json.path as string;

    const first = await call('run', { state_file: file });
    expect(first).toMatchObject({ isError: false, json: { ok: true, stopped: 'waiting', next: { kind: 'wait', node: { id: 'build', worker: 'dev-001' } } } });
    await team.waitForReply(file, 'build');

    const second = await call('run', { state_file: file });
    expect(second.json).toMatchObject({ stopped: 'confirmation', steps: [{ node: 'build', action: 'complete' }], next: { kind: 'confirm', node: { id: 'finish' } } });

    const next = await call('next_step', { state_file: file });
    expect(next.text).toBe(cliJson('workflow', 'state', 'next', file));

    const wrong = await call('transition', { state_file: file, action: 'confirm', node: 'build' });
    expect(wrong).toMatchObject({ isError: true, exitCode: 1, json: { ok: false, error: { code: 'not_current_node' } } });
    expect(wrong.text, 'a refusal changes nothing, so the CLI refuses it the same way').toBe(cliJson('workflow', 'state', 'confirm', file, '--node', 'build'));
    const refused = await call('transition', { state_file: file, action: 'complete', node: 'finish' });
    expect(refused).toMatchObject({ isError: true, exitCode: 1, json: { ok: false, error: { code: expect.any(String) } } });

    const done = await call('transition', { state_file: file, action: 'confirm', node: 'finish', summary: 'greeting checked' });
    expect(done).toMatchObject({ isError: false, exitCode: 0, json: { ok: true, action: 'confirm', run_status: 'completed' } });
    const runs = await call('list_runs', { all: true });
    expect(runs.json.runs).toEqual(expect.arrayContaining([expect.objectContaining({ run_id: 'm1', status: 'completed' })]));
    const status = await call('worker_status');
    expect(status.json.workers).toEqual([expect.objectContaining({ id: 'dev-001', ahead: 1 })]);
    const merged = await call('worker_merge', { worker_id: 'dev-001' });
    expect(merged).toMatchObject({ isError: false, json: { ok: true, merged: true } });
    expect(stderr).not.toMatch(/error/i);
  });
});
