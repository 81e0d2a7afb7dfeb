/** The fake Bitrix24 portal lives in src/bench (the bench serves it too); tests import it from here. */
export * from '../../src/bench/b24-fake/fake-b24.js';
export * from '../../src/bench/b24-fake/b24-portal.js';
