/** Lazy command handlers: a commander action that imports its handler module only when it runs. */
import { AsyncLocalStorage } from 'node:async_hooks';
import { Command } from 'commander';
import type { ExitCode } from '../errors.js';
import { render, type CommandResult } from './output.js';

/**
 * Where a handler's result goes instead of being printed, for callers that run a command tree in-process
 * (the MCP server, see src/mcp/): set with {@link captureResults} for the duration of one parse.
 */
const sinks = new AsyncLocalStorage<(result: CommandResult) => void>();

/** Runs `parse` with every handler's result passed to `sink` instead of printed (concurrent calls stay apart). */
export function captureResults<T>(sink: (result: CommandResult) => void, parse: () => Promise<T>): Promise<T> {
  return sinks.run(sink, parse);
}

/**
 * A handler: positional arguments (in order) and the command's options, typed by the handler with one
 * interface per command (`O`, camelCase keys as commander gives them); returns what to print.
 */
export type Handler<O extends object = Record<string, unknown>> = (args: string[], options: O) => Promise<CommandResult> | CommandResult;

/**
 * The root command of the CLI. Commander drops an action's return value, so a {@link lazy} action hands
 * its exit code to the root of its tree here; `runCli` reads it after parsing. One per parse, never global.
 */
export class Program extends Command {
  /** The exit code of the lazy action that ran; undefined when none ran (help, version, a usage error). */
  exitCode: ExitCode | undefined;
}

/** The root of `command`'s tree. */
function rootOf(command: Command): Command {
  let root = command;
  while (root.parent) root = root.parent;
  return root;
}

/**
 * A commander `.action()` callback that loads `load()` then calls its `name` export with the
 * positional arguments (variadic ones flattened, in order) and the options, prints the result and
 * hands its exit code to the {@link Program} at the root of the tree (not `process.exitCode`) — or hands
 * the result to the sink of {@link captureResults}. Errors propagate to the funnel in `program.ts`.
 */
export function lazy<M extends { [P in K]: Handler<never> }, K extends keyof M & string>(load: () => Promise<M>, name: K) {
  return async (...params: unknown[]): Promise<void> => {
    const command = params[params.length - 1] as Command;
    const options = command.opts();
    const args = params.slice(0, -2).flatMap((a) => (Array.isArray(a) ? a : a === undefined ? [] : [a])).map(String);
    const mod = await load();
    // The one cast of the boundary: commander's option values, declared next to the command, become the
    // handler's options interface.
    const handler = mod[name] as unknown as Handler;
    const result = await handler(args, options);
    const sink = sinks.getStore();
    if (sink) return sink(result);
    const code = render(result, options);
    const root = rootOf(command);
    if (root instanceof Program) root.exitCode = code;
  };
}
