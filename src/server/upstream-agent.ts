import { readFileSync } from 'node:fs';
import { Agent } from 'undici';
import type { Config } from '../config/config.js';

/**
 * The undici pool towards the upstream, from the timeout and TLS settings. `serve` and `doctor`
 * both use it, so doctor's checks go through the very same connection settings.
 */
export function createUpstreamAgent(config: Config): Agent {
  return new Agent({
    connect: {
      timeout: config.connectTimeout,
      ...(config.upstreamCa ? { ca: readFileSync(config.upstreamCa) } : {}),
      ...(config.upstreamInsecure ? { rejectUnauthorized: false } : {}),
    },
    headersTimeout: config.headersTimeout,
    bodyTimeout: config.bodyTimeout,
    keepAliveTimeout: 30_000,
    connections: null,
  });
}
