// Listening TCP ports in the sandbox's network namespace, from /proc/net.
import { readFileSync } from 'node:fs';

const LISTEN = '0A';

/** Ports in state LISTEN in the text of /proc/net/tcp or tcp6. */
export function parseListening(table: string): number[] {
  const ports: number[] = [];
  for (const line of table.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 4 || f[3] !== LISTEN) continue;
    const port = parseInt(f[1]!.split(':')[1] ?? '', 16);
    if (Number.isInteger(port) && port > 0) ports.push(port);
  }
  return ports;
}

export function listeningPorts(): number[] {
  const all = new Set<number>();
  for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
    try {
      for (const p of parseListening(readFileSync(f, 'utf8'))) all.add(p);
    } catch {
      /* no IPv6, or no /proc/net */
    }
  }
  return [...all].sort((a, b) => a - b);
}
