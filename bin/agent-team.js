#!/usr/bin/env node
// Launcher: turn on Node's on-disk compile cache (Node >= 22.1; a no-op before) and hand over to dist/.
import module from 'node:module';

module.enableCompileCache?.();
await import('../dist/cli/main.js');
