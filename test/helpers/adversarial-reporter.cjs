// Mocha's spec output, then the adversarial summary: cases per group and one closing count line.
'use strict';
const Mocha = require('mocha');

class AdversarialReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const groups = new Map();
    let passed = 0;
    let failed = 0;
    const group = (test) => {
      let suite = test.parent;
      while (suite && suite.parent && suite.parent.parent && !suite.parent.root) suite = suite.parent;
      return (suite && suite.title) || 'other';
    };
    const count = (test, key) => {
      const name = group(test);
      const entry = groups.get(name) || { passed: 0, failed: 0 };
      entry[key] += 1;
      groups.set(name, entry);
    };
    runner.on('pass', (test) => {
      passed += 1;
      count(test, 'passed');
    });
    runner.on('fail', (test) => {
      failed += 1;
      count(test, 'failed');
    });
    runner.once('end', () => {
      process.stdout.write('\nadversarial cases per group:\n');
      for (const [name, entry] of groups) process.stdout.write(`  ${name}: ${entry.passed + entry.failed} (${entry.failed} failed)\n`);
      process.stdout.write(`adversarial: ${passed} passed, ${failed} failed\n`);
    });
  }
}

module.exports = AdversarialReporter;
