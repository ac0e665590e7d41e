#!/usr/bin/env node
// nofearctl: see and stop sandboxes, check the machine, show the settings, manage profiles.
// The entry only: the command is nofearctl-main.ts, which tests import without running it.
import { runMain } from './cli-exit.js';
import { nofearctlMain } from './nofearctl-main.js';

await runMain('nofearctl', () => nofearctlMain(process.argv.slice(2)));
