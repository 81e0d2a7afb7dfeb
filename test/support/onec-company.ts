/** The generated company lives in src/bench (the bench serves it too); tests import it from here. */
export * from '../../src/bench/onec-fake/onec-company.js';
