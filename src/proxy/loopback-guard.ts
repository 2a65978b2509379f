import { isLoopback } from '../config/listen-address.js';
import { SignetError } from '../errors.js';

/**
 * A sidecar trusts its pod's loopback, but a web browser on the same host is on that loopback
 * too: any page it visits can send simple requests to 127.0.0.1:8080 (CSRF), and with DNS
 * rebinding (evil.example resolving to 127.0.0.1) even read the answers. Neither is a request the
 * pod's apps made, so neither is signed:
 * - a browser's request (Sec-Fetch-*, Origin, or a `Mozilla/` User-Agent) must name a loopback
 *   Host (an IP literal, `localhost`, `*.localhost`) or one under --virtual-host-suffix: a
 *   rebound name is none of these;
 * - a browser that says the request comes from another site (`Sec-Fetch-Site: cross-site`, or an
 *   `Origin` that is not a loopback name) is refused. Pages signet serves itself (the demo page,
 *   same-origin) and apps on another loopback port (same-site) keep working.
 */
export function checkLoopbackClient(host: string, rawHeaders: readonly string[], suffixes: readonly string[]): void {
  let browser = false;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const raw = rawHeaders[i]!;
    // Runs on every sidecar request: only the three names of interest are lower-cased.
    if (raw.length !== 14 && raw.length !== 6 && raw.length !== 10) continue;
    const name = raw.toLowerCase();
    const value = rawHeaders[i + 1]!.trim();
    if (name === 'sec-fetch-site') {
      browser = true;
      if (value.toLowerCase() === 'cross-site') refuse('cross-site browser request');
    } else if (name === 'origin') {
      browser = true;
      // `null`: a sandboxed frame or a file:// page, whose site cannot be told.
      if (value === 'null' || !loopbackName(originHost(value), suffixes)) refuse('Origin is not a loopback name');
    } else if (name === 'user-agent' && value.startsWith('Mozilla/')) {
      // Every browser's, and a page cannot change it (a forbidden header name).
      browser = true;
    }
  }
  // Tools that are no browser may name S3 in the Host (hostAliases pointing s3.amazonaws.com at
  // the sidecar is a common way to catch hard-coded endpoints); a browser's Host is the name the
  // page's script used, and only a loopback name can be the pod's own.
  if (browser && host !== '' && !loopbackName(hostName(host), suffixes)) refuse('browser request under a Host that is not a loopback name');
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
