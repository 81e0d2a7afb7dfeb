/** The fake amoCRM lives in src/bench (a bench may serve it too); tests import it from here. */
export * from '../../src/bench/amo-fake/fake-amo.js';
export * from '../../src/bench/amo-fake/amo-account.js';
