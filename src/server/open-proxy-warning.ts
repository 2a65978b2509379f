import type { Config } from '../config/config.js';
import { formatListenAddress, isLoopback } from '../config/index.js';

/**
 * The operator accepted an open proxy (--allow-unauthenticated on a non-loopback --listen): the
 * warning said at start and shown in /readyz, where probes and people look. Undefined otherwise.
 */
export function openProxyWarning(config: Config): string | undefined {
  if (config.inboundKeys !== undefined || isLoopback(config.listen.host)) return undefined;
  return `warning: ${formatListenAddress(config.listen)} is not loopback and --inbound-keys is not set (--allow-unauthenticated): anyone who reaches it signs with signet's IAM identity`;
}
