// Mocha reporter: the usual "spec" output on the console, plus the counts and failures as JSON in
// the file named by --reporter-option output=FILE, which the test orchestrator (runAll.ts) sums.
const fs = require('node:fs');
const path = require('node:path');
const Mocha = require('mocha');

class SpecSummaryReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const output = options.reporterOptions && options.reporterOptions.output;
    const tests = [];
    runner.on('pass', (t) => tests.push({ title: t.fullTitle(), state: 'passed', durationMs: t.duration || 0 }));
    runner.on('fail', (t, err) => tests.push({ title: t.fullTitle(), state: 'failed', durationMs: t.duration || 0, error: String((err && err.stack) || err) }));
    runner.on('pending', (t) => tests.push({ title: t.fullTitle(), state: 'pending', durationMs: 0 }));
    runner.once('end', () => {
      if (!output) return;
      const count = (s) => tests.filter((t) => t.state === s).length;
      fs.mkdirSync(path.dirname(output), { recursive: true });
      fs.writeFileSync(output, JSON.stringify({ passed: count('passed'), failed: count('failed'), pending: count('pending'), tests }, null, 2));
    });
  }
}

module.exports = SpecSummaryReporter;
