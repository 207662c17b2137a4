/**
 * The client address of a request, read through trusted proxies only: what
 * the per-address limits count (connections, links, pending mounts).
 *
 * Why the right-most untrusted address (RFC 7239 §5.2, §8.1): every proxy
 * *appends* the address it received the request from to X-Forwarded-For, so
 * the list grows left to right, and only the entries appended by proxies we
 * trust are true. Anything left of them was sent by the client and may be
 * made up. Walking from the right, past our own proxies, the first address
 * that is not one of them is the one a trusted proxy saw: the client (or the
 * last proxy we do not trust, which is as far as the truth goes).
 */
import type { IncomingMessage } from "node:http";
import { isIP } from "node:net";

/** Which peers may speak for the client: the `trustProxy` option. */
export type TrustProxy = boolean | readonly string[];

/**
 * The client address of `req`: the socket's peer, or, when that peer is a
 * trusted proxy, the right-most X-Forwarded-For address that is not a
 * trusted proxy. `trustProxy: true` trusts exactly one hop (the peer): the
 * right-most forwarded address is the client.
 *
 * @example
 * clientAddress(req, ["10.0.0.2"]); // "203.0.113.7" for "1.1.1.1, 203.0.113.7" from 10.0.0.2
 */
export function clientAddress(req: IncomingMessage, trust: TrustProxy): string {
  const peer = normalize(req.socket.remoteAddress ?? "");
  if (!isTrustedProxy(peer, trust)) return peer;
  const header = req.headers["x-forwarded-for"];
  const hops = (Array.isArray(header) ? header.join(",") : header ?? "").split(",");
  let client = peer;
  for (let i = hops.length - 1; i >= 0; i--) {
    const addr = normalize(hops[i]!.trim());
    // Garbage where a trusted proxy should have written an address: stop at the last true hop.
    if (isIP(addr) === 0) break;
    client = addr;
    if (trust === true || !isTrustedProxy(addr, trust)) break;
  }
  return client;
}

/**
 * True when `addr` (normalized) is a proxy whose forwarded headers are
 * believed: any peer with `true`, the listed addresses with a list.
 *
 * @example
 * isTrustedProxy("10.0.0.2", ["10.0.0.2"]); // true
 */
export function isTrustedProxy(addr: string, trust: TrustProxy): boolean {
  if (trust === true) return true;
  if (trust === false) return false;
  return trust.includes(addr);
}

/**
 * One spelling per address: IPv4-mapped IPv6 as IPv4, IPv6 without brackets,
 * lower case; an IPv4 `host:port` (some proxies append the port) without it.
 *
 * @example
 * normalize("::ffff:127.0.0.1"); // "127.0.0.1"
 */
export function normalize(addr: string): string {
  let a = addr.toLowerCase();
  if (a.startsWith("[")) a = a.slice(1, a.indexOf("]") >>> 0);
  else if (/^\d{1,3}(\.\d{1,3}){3}:\d+$/.test(a)) a = a.slice(0, a.lastIndexOf(":"));
  return a.startsWith("::ffff:") && isIP(a.slice(7)) === 4 ? a.slice(7) : a;
}

/**
 * The key the per-address limits count by: an IPv4 address as is, an IPv6
 * address by its /64 prefix. One IPv6 subscriber is routinely given a whole
 * /64 (RFC 6177), so counting full IPv6 addresses would give a single client
 * 2^64 fresh budgets.
 *
 * @example
 * limitKey("2001:db8:1:2:aaaa::1"); // "2001:db8:1:2::/64"
 */
export function limitKey(addr: string): string {
  if (isIP(addr) !== 6) return addr;
  const [head = "", tail] = addr.split("::");
  const groups = (s: string | undefined) => (s === undefined || s === "" ? [] : s.split(":"));
  const left = groups(head);
  const right = groups(tail);
  // An embedded IPv4 tail ("64:ff9b::1.2.3.4") stands for two groups.
  const width = (g: string[]) => g.reduce((n, x) => n + (x.includes(".") ? 2 : 1), 0);
  const all = tail === undefined ? left : [...left, ...new Array<string>(8 - width(left) - width(right)).fill("0"), ...right];
  return `${all.slice(0, 4).map((g) => (g.includes(".") ? g : (Number.parseInt(g, 16) || 0).toString(16))).join(":")}::/64`;
}

/**
 * What the per-address limits of `req` count under: its client address
 * (through trusted proxies), an IPv6 one by its /64.
 *
 * @example
 * limits.open(limitAddress(req, options.trustProxy));
 */
export function limitAddress(req: IncomingMessage, trust: TrustProxy): string {
  return limitKey(clientAddress(req, trust));
}
