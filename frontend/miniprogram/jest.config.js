/** Jest runs the TypeScript sources directly through ts-jest (no separate build step). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  // 'ts' before 'json': a page's index.ts must win over its index.json when
  // miniprogram-simulate requires "pages/x/index" without an extension.
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tests/tsconfig.json' }],
  },
  globalSetup: '<rootDir>/tests/setup/globalSetup.ts',
  setupFiles: ['<rootDir>/tests/setup/installFakeWx.ts'],
  testTimeout: 20000,
  // Lists every test, so a skipped contract test shows up by name.
  verbose: true,
};
