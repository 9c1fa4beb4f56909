/**
 * Host and Origin rules for every path the HTTP server answers (`/mcp`,
 * `/healthz`, `/metrics`): DNS-rebinding protection.
 *
 * - A `Host` header that is missing or not `host[:port]` (userinfo, paths,
 *   spaces…) is a 400, never a 500.
 * - On a loopback bind, only loopback names pass: `localhost` and any
 *   address in 127.0.0.0/8 or `::1` however it is spelled (`127.1`,
 *   `LOCALHOST`, `[::ffff:127.0.0.1]`), after the WHATWG URL parser has
 *   normalised it. A foreign Host or Origin is a 403.
 * - Elsewhere, Host is not checked unless `allowedHosts` is given, and an
 *   Origin must name the Host's own hostname (or one of `allowedOrigins`).
 * - Requests without an Origin always pass (non-browser clients send none).
 *
 * @module
 */
import { isIP } from 'node:net';

/** What the server accepts in `Host` and `Origin`. */
export interface HostPolicy {
  /** Hostnames accepted in `Host`; `undefined` = loopback names when `loopbackOnly`, else any. */
  readonly allowedHosts?: readonly string[] | undefined;
  /** Hostnames accepted in `Origin`; `undefined` = loopback names when `loopbackOnly`, else the Host's own. */
  readonly allowedOrigins?: readonly string[] | undefined;
  /** The server listens on loopback only. */
  readonly loopbackOnly: boolean;
}

/** A refusal: HTTP status and a message naming what was wrong. */
export interface HostRefusal {
  readonly status: 400 | 403;
  readonly message: string;
}

/** `host[:port]`: a bracketed IPv6 literal or a reg-name / IPv4, then an optional port. Nothing else. */
const HOST_HEADER = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~%!$&'()*+,;=-]+)(?::\d{1,5})?$/;

/** The normalised hostname of a `Host` header (`[::1]` keeps its brackets), or `undefined` when malformed. */
export function hostnameOfHostHeader(host: string | null | undefined): string | undefined {
  if (host === null || host === undefined || !HOST_HEADER.test(host)) return undefined;
  try {
    const hostname = new URL(`http://${host}`).hostname;
    return hostname === '' ? undefined : hostname;
  } catch {
    return undefined;
  }
}

/**
 * Whether a hostname or address is loopback: `localhost`, 127.0.0.0/8, `::1`,
 * or an IPv4-mapped loopback address, in any spelling the URL parser or
 * `net` accepts. Brackets are optional.
 */
export function isLoopbackName(name: string): boolean {
  let host = name.trim().toLowerCase();
  if (host.endsWith('.')) host = host.slice(0, -1);
  if (host === 'localhost') return true;
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (isIP(host) === 6) return isLoopbackIpv6(host);
  let normalised: string;
  try {
    normalised = new URL(`http://${host}`).hostname; // 127.1 → 127.0.0.1, 0x7f.1 → 127.0.0.1
  } catch {
    return false;
  }
  if (normalised.startsWith('[')) return isLoopbackIpv6(normalised.slice(1, -1));
  return isIP(normalised) === 4 && normalised.startsWith('127.');
}

function isLoopbackIpv6(address: string): boolean {
  let hostname: string;
  try {
    hostname = new URL(`http://[${address}]`).hostname; // canonical, compressed form
  } catch {
    return false;
  }
  if (hostname === '[::1]') return true;
  // IPv4-mapped: ::ffff:7f00:1 is 127.0.0.1.
  const mapped = /^\[::ffff:([0-9a-f]{1,4}):[0-9a-f]{1,4}\]$/.exec(hostname);
  return mapped !== null && (Number.parseInt(mapped[1]!, 16) >> 8) === 127;
}

/** Checks `Host` and `Origin`; `undefined` when the request may proceed. */
export function checkHostAndOrigin(host: string | null | undefined, origin: string | null | undefined, policy: HostPolicy): HostRefusal | undefined {
  const hostname = hostnameOfHostHeader(host);
  if (hostname === undefined) {
    return { status: 400, message: host === null || host === undefined || host === '' ? 'Bad Request: missing Host header' : `Bad Request: malformed Host header ${JSON.stringify(host)}` };
  }
  if (!hostAllowed(hostname, policy)) return { status: 403, message: `Forbidden: Host ${hostname} is not allowed on this server` };
  if (origin === null || origin === undefined || origin === '') return undefined;
  let originHost: string;
  try {
    originHost = new URL(origin).hostname;
  } catch {
    return { status: 403, message: `Forbidden: invalid Origin header ${JSON.stringify(origin)}` };
  }
  if (originHost === '' || !originAllowed(originHost, hostname, policy)) {
    return { status: 403, message: `Forbidden: Origin ${origin} is not allowed on this server` };
  }
  return undefined;
}

function hostAllowed(hostname: string, policy: HostPolicy): boolean {
  if (policy.allowedHosts !== undefined) return policy.allowedHosts.some((allowed) => sameHost(allowed, hostname));
  return !policy.loopbackOnly || isLoopbackName(hostname);
}

function originAllowed(originHost: string, hostname: string, policy: HostPolicy): boolean {
  if (policy.allowedOrigins !== undefined) return policy.allowedOrigins.some((allowed) => sameHost(allowed, originHost));
  if (policy.loopbackOnly) return isLoopbackName(originHost);
  return sameHost(hostname, originHost);
}

function sameHost(a: string, b: string): boolean {
  const normal = (name: string) => hostnameOfHostHeader(name) ?? name.toLowerCase();
  return normal(a) === normal(b);
}
