// The address of the client behind a request: the TCP peer, unless that peer
// is a trusted reverse proxy (BERTH_TRUSTED_PROXIES), in which case the
// nearest address in X-Forwarded-For that is not itself a trusted proxy.
// Everyone else's X-Forwarded-For is ignored, so a client cannot pick the
// address its rate limits are counted against. Every edge that speaks HTTP
// (API, toolbox WebSockets, MCP, previews) takes its address from here.
import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';

/** Which peers are trusted proxies; compile once per server with `trustedProxies`. */
export type TrustedProxies = (address: string, hop: number) => boolean;

export function trustedProxies(cidrs: readonly string[]): TrustedProxies {
  return proxyaddr.compile([...cidrs]);
}

/** The client's address, IPv4-mapped IPv6 (`::ffff:1.2.3.4`) written as IPv4. */
export function clientAddress(req: IncomingMessage, trusted: TrustedProxies): string {
  const a = req.socket.remoteAddress ? proxyaddr(req, trusted) : 'unknown';
  return /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(a) ? a.slice(7) : a;
}
