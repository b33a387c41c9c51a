// Jest runs the TypeScript sources as native ESM (package "type": "module").
// Sources import each other by their real `.ts` names; ts-jest rewrites those to
// `.js`, so the mapper strips the extension and Jest finds the `.ts` file again.
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
  },
  testMatch: ['<rootDir>/__tests__/**/*.test.ts'],
  globalSetup: '<rootDir>/jest.global-setup.js',
  testTimeout: 30000,
  // Tests start real servers and child processes; two workers keep the machine responsive.
  maxWorkers: 2,
};
