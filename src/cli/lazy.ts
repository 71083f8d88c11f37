/** Lazy command handlers: a commander action that imports its handler module only when it runs. */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Command } from 'commander';
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

/** A handler: positional arguments (in order) and the command's options; returns what to print. */
export type Handler = (args: string[], options: Record<string, unknown>) => Promise<CommandResult> | CommandResult;

/**
 * A commander `.action()` callback that loads `load()` then calls its `name` export with the
 * positional arguments and options, prints the result and sets `process.exitCode` (or hands it to the
 * sink of {@link captureResults}). Errors propagate to the funnel in `program.ts`.
 */
export function lazy<M>(load: () => Promise<M>, name: keyof M & string) {
  return async (...params: unknown[]): Promise<void> => {
    const command = params[params.length - 1] as Command;
    const options = command.opts();
    const args = params.slice(0, -2).flatMap((a) => (Array.isArray(a) ? a : a === undefined ? [] : [a])).map(String);
    const mod = await load();
    const handler = mod[name] as unknown as Handler;
    const result = await handler(args, options);
    const sink = sinks.getStore();
    if (sink) sink(result);
    else process.exitCode = render(result, options);
  };
}
