// A tiny authoritative DNS server for tests: answers A queries from a fixed
// table (and NXDOMAIN otherwise), so domain allow-lists can be tested on a
// host without internet access.
import dgram from 'node:dgram';
import * as dns from 'dns-packet';
import { RCODE } from '../../runner/egress-dns.js';

export interface FakeDns {
  port: number;
  /** Names asked so far. */
  asked: string[];
  close(): Promise<void>;
}

export async function startFakeDns(records: Record<string, string>, host = '127.0.0.1'): Promise<FakeDns> {
  const sock = dgram.createSocket('udp4');
  const asked: string[] = [];
  sock.on('message', (msg, rinfo) => {
    let q: dns.DecodedPacket;
    try {
      q = dns.decode(msg);
    } catch {
      return;
    }
    const question = q.questions?.[0];
    if (!question) return;
    const name = question.name.toLowerCase();
    asked.push(name);
    const ip = records[name];
    const answers: dns.Answer[] =
      ip && question.type === 'A' ? [{ type: 'A', class: 'IN', name: question.name, ttl: 60, data: ip }] : [];
    const flags = ((q.flags ?? 0) & dns.RECURSION_DESIRED) | (ip ? RCODE.NOERROR : RCODE.NXDOMAIN);
    sock.send(
      dns.encode({ type: 'response', id: q.id, flags, questions: [question], answers }),
      rinfo.port,
      rinfo.address,
    );
  });
  await new Promise<void>((r) => sock.bind(0, host, () => r()));
  return { port: sock.address().port, asked, close: () => new Promise((r) => sock.close(() => r())) };
}
