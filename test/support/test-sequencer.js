// @ts-check
const Sequencer = require('@jest/test-sequencer').default;

/** Suites that serve the product's cloud assembly, which the first of them synthesizes for the run (run-cache.ts). */
const SERVES_THE_ASSEMBLY = /[\\/]test[\\/](e2e|reliability|console)[\\/]/;

/**
 * jest's order (last run's failures first, then the slowest first), except that the first two suites, which start
 * at once on the two workers, are never both suites of the product's cloud assembly: the second would only wait
 * while the first synthesizes it, so the next suite that needs no assembly runs beside the synth instead.
 */
class SharedBuildSequencer extends Sequencer {
  /**
   * @override
   * @param {import('@jest/test-result').Test[]} tests
   */
  sort(tests) {
    const sorted = /** @type {import('@jest/test-result').Test[]} */ (super.sort(tests));
    const servesAssembly = (/** @type {{ path: string }} */ test) => SERVES_THE_ASSEMBLY.test(test.path);
    const [first, second] = sorted;
    if (first && second && servesAssembly(first) && servesAssembly(second)) {
      const other = sorted.findIndex((test) => !servesAssembly(test));
      if (other > 1) sorted.splice(1, 0, ...sorted.splice(other, 1));
    }
    return sorted;
  }
}

module.exports = SharedBuildSequencer;
