// The release version, compiled in so that a bundled agent needs no package.json at run time.
// test/shared/version.test.ts keeps it equal to package.json.
export const AFTERPATCH_VERSION = '0.1.0';
