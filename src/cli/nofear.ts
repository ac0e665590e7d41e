#!/usr/bin/env node
// nofear: run a command (or a shell) in a VM that uses the host's own software.
// The entry only: the command is nofear-main.ts, which tests import without running it.
import { runMain } from './cli-exit.js';
import { nofearMain } from './nofear-main.js';

await runMain('nofear', () => nofearMain(process.argv.slice(2)));
