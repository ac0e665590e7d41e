#!/usr/bin/env node
// The entry point of `make demo`.
import { runMain } from './cli-exit.js';
import { runDemo } from '../demo/run-demo.js';
import { closeInheritedDescriptors } from '../util/inherited-fds.js';

// Before anything can start a child: descriptors whoever started us left open must not reach one.
closeInheritedDescriptors();

await runMain('demo', () => runDemo());
