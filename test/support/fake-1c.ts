/** The fake 1C lives in src/bench (the bench serves it too); tests import it from here. */
export * from '../../src/bench/onec-fake/fake-1c.js';
