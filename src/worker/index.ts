/**
 * The worker domain's public API (for the CLI and the workflow controller loop): roles, worker configs,
 * lifecycle (create / open / assign / status / merge / close / delete), messages and replies.
 */
export * from './changes.js';
export * from './config.js';
export * from './exclude.js';
export * from './ids.js';
export * from './init.js';
export * from './lifecycle.js';
export * from './messages.js';
export * from './paths.js';
export * from './project-config.js';
export * from './prompt.js';
export * from './providers.js';
export * from './reply.js';
export * from './roles.js';
export * from './port.js';
export * from './root.js';
