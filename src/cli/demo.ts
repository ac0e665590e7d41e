#!/usr/bin/env node
// The entry point of `make demo`.
import { runMain } from './cli-exit.js';
import { runDemo } from '../demo/run-demo.js';

await runMain('demo', () => runDemo());
