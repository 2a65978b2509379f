import { isLoopback } from '../config/listen-address.js';
import { SignetError } from '../errors.js';

/**
 * A sidecar trusts its pod's loopback, but a web browser on the same host is on that loopback
 * too: any page it visits can send simple requests to 127.0.0.1:8080 (CSRF), and with DNS
 * rebinding (evil.example resolving to 127.0.0.1) even read the answers. Neither is a request the
 * pod's apps made, so neither is signed:
 * - the Host must be loopback (an IP literal, `localhost`, `*.localhost`) or under a
 *   --virtual-host-suffix: a rebound name is none of these;
 * - a browser that says the request comes from another site (`Sec-Fetch-Site: cross-site`, or an
 *   `Origin` that is not a loopback name) is refused. Pages signet serves itself (the demo page,
 *   same-origin) and apps on another loopback port (same-site) keep working.
 */
export function checkLoopbackClient(host: string, rawHeaders: readonly string[], suffixes: readonly string[]): void {
  // No Host at all (HTTP/1.0) is no browser.
  if (host !== '' && !loopbackName(hostName(host), suffixes)) refuse('Host is not a loopback name');
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    if (name === 'sec-fetch-site') {
      if (rawHeaders[i + 1]!.trim().toLowerCase() === 'cross-site') refuse('cross-site browser request');
    } else if (name === 'origin') {
      const origin = rawHeaders[i + 1]!.trim();
      // `null`: a sandboxed frame or a file:// page, whose site cannot be told.
      if (origin === 'null' || !loopbackName(originHost(origin), suffixes)) refuse('Origin is not a loopback name');
    }
  }
}

function refuse(reason: string): never {
  throw new SignetError('AccessDenied', 'loopback guard: ' + reason, 'signet signs requests from its own host only; this one came through a browser from another site or under a foreign Host name.');
}

/** `host[:port]` or `[v6]:port` → the name, lower case. */
function hostName(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end === -1 ? h : h.slice(1, end);
  }
  const colon = h.lastIndexOf(':');
  return colon === -1 ? h : h.slice(0, colon);
}

function originHost(origin: string): string {
  const scheme = origin.indexOf('://');
  return scheme === -1 ? '' : hostName(origin.slice(scheme + 3).split('/')[0]!);
}

function loopbackName(name: string, suffixes: readonly string[]): boolean {
  if (name === '') return false;
  if (isLoopback(name) || name.endsWith('.localhost')) return true;
  for (const suffix of suffixes) if (name === suffix || name.endsWith('.' + suffix)) return true;
  return false;
}
