/**
 * `host:port` for a listener: `127.0.0.1:8080`, `:8080`, `0.0.0.0:8080`, `[::1]:8080`,
 * `localhost:8080`. Port 0 asks the OS for a free port (tests).
 */
export interface ListenAddress {
  /** Ready for `server.listen(port, host)`: IPv6 without brackets. */
  readonly host: string;
  readonly port: number;
}

const BRACKETED_RE = /^\[([0-9a-fA-F:.]+)\]:(\d{1,5})$/;
const PLAIN_RE = /^([A-Za-z0-9.-]*):(\d{1,5})$/;

/** Go's convention: `:8080` means every interface. IPv4 only, so it works where IPv6 is off. */
const ALL_INTERFACES = '0.0.0.0';

export function parseListenAddress(text: string): ListenAddress | undefined {
  const m = BRACKETED_RE.exec(text) ?? PLAIN_RE.exec(text);
  if (m === null) return undefined;
  const port = Number(m[2]);
  if (port > 65_535) return undefined;
  const host = m[1] === '' || m[1] === undefined ? ALL_INTERFACES : m[1];
  return Object.freeze({ host, port });
}

export function formatListenAddress(address: ListenAddress): string {
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

/**
 * Only addresses no other machine can reach count: 127.0.0.0/8, ::1 and the name localhost.
 * Any other name may resolve to a routable address, so it counts as exposed.
 */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || /^::ffff:127\./.test(h);
}
