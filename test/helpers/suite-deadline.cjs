// The whole mocha run's deadline (NOFEAR_SUITE_DEADLINE_S, set by test/run-suites.sh): past it, the
// run says which test (or hook) it was in, kills every process it started (QEMU, nofear, Xvfb) and
// exits, so that a test that leaks a child can never hang `make test` or CI. Without the variable:
// nothing (unit runs, a developer's --grep).
'use strict';
const { readdirSync, readFileSync } = require('node:fs');

const seconds = Number(process.env.NOFEAR_SUITE_DEADLINE_S);
let current = 'no test yet (a before hook, or loading the files)';

/** Every process below this one, by parent pid (QEMU in its jail included: its pid namespace is nested). */
function descendants() {
  const children = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'latin1');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) || []), Number(name)]);
    } catch {
      // gone meanwhile
    }
  }
  const found = [];
  const queue = [process.pid];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()) || []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

function expire() {
  process.stderr.write(`\nsuite deadline: ${seconds} s passed while in: ${current}\nkilling what the run started and ending it\n`);
  for (const pid of descendants()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  // Mocha sets the exit code to its failure count from an exit listener: this one, added last, wins.
  process.on('exit', () => {
    process.exitCode = 124;
  });
  process.exit(124);
}

if (Number.isFinite(seconds) && seconds > 0) {
  // unref: it never keeps a finished run alive; it fires while anything else does.
  setTimeout(expire, seconds * 1000).unref();
}

exports.mochaHooks = {
  beforeAll() {
    current = `before hooks of "${this.test && this.test.parent ? this.test.parent.fullTitle() : 'the root suite'}"`;
  },
  beforeEach() {
    current = `"${this.currentTest.fullTitle()}"`;
  },
  afterEach() {
    current = `after hooks of "${this.currentTest.fullTitle()}"`;
  },
};
