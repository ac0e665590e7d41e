#!/usr/bin/env node
// nofear-open: open files (or web addresses) safely, each in its own throwaway VM with the usual viewer.
// The entry only: the command is nofear-open-main.ts, which tests import without running it.
// runMain closes the descriptors this process inherited before anything else: none may reach a VM or a helper.
import { runMain } from './cli-exit.js';
import { nofearOpenMain } from './nofear-open-main.js';

await runMain('nofear-open', () => nofearOpenMain(process.argv.slice(2)));
