// A tiny authoritative DNS server for tests: answers A queries from a fixed
// table (and NXDOMAIN otherwise), so domain allow-lists can be tested on a
// host without internet access.
import dgram from 'node:dgram';
import { parseQuestion, reply, RCODE } from '../../runner/dns-message.js';

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
    let q;
    try {
      q = parseQuestion(msg);
    } catch {
      return;
    }
    asked.push(q.name);
    const ip = records[q.name];
    if (!ip || q.type !== 1) {
      sock.send(reply(msg, q, ip ? RCODE.NOERROR : RCODE.NXDOMAIN), rinfo.port, rinfo.address);
      return;
    }
    const head = reply(msg, q, RCODE.NOERROR);
    head.writeUInt16BE(1, 6); // one answer
    const rr = Buffer.alloc(16);
    rr.writeUInt16BE(0xc00c, 0); // name: pointer to the question
    rr.writeUInt16BE(1, 2); // A
    rr.writeUInt16BE(1, 4); // IN
    rr.writeUInt32BE(60, 6); // TTL
    rr.writeUInt16BE(4, 10);
    ip.split('.').forEach((o, i) => (rr[12 + i] = Number(o)));
    sock.send(Buffer.concat([head, rr]), rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => sock.bind(0, host, () => r()));
  return { port: sock.address().port, asked, close: () => new Promise((r) => sock.close(() => r())) };
}
