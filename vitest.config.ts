import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // No test may reach the network beyond loopback: the AWS chain would otherwise probe IMDS.
    env: { AWS_EC2_METADATA_DISABLED: 'true' },
  },
});
