// The few DNS wire-format operations the egress resolver needs (RFC 1035):
// read the question, read A records from an answer, build a refusal. Every
// read is bounds-checked; a malformed message is rejected, never trusted.

export interface Question {
  id: number;
  name: string;
  type: number;
  /** Byte offset where the question section ends. */
  end: number;
}

export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 } as const;

/** Reads a (possibly compressed) name; returns it lower-cased without the final dot. */
export function readName(buf: Buffer, offset: number): { name: string; next: number } {
  const labels: string[] = [];
  let pos = offset;
  let next = -1;
  for (let jumps = 0; ; ) {
    if (pos >= buf.length) throw new Error('name runs past the message');
    const len = buf[pos]!;
    if (len === 0) {
      if (next < 0) next = pos + 1;
      break;
    }
    if ((len & 0xc0) === 0xc0) {
      if (pos + 1 >= buf.length || ++jumps > 32) throw new Error('bad compression pointer');
      if (next < 0) next = pos + 2;
      pos = ((len & 0x3f) << 8) | buf[pos + 1]!;
      continue;
    }
    if (len > 63 || pos + 1 + len > buf.length) throw new Error('bad label');
    labels.push(buf.toString('latin1', pos + 1, pos + 1 + len));
    pos += 1 + len;
    if (labels.length > 127) throw new Error('name too long');
  }
  return { name: labels.join('.').toLowerCase(), next };
}

export function parseQuestion(buf: Buffer): Question {
  if (buf.length < 12) throw new Error('short message');
  if (buf.readUInt16BE(4) !== 1) throw new Error('expected exactly one question');
  const { name, next } = readName(buf, 12);
  if (next + 4 > buf.length) throw new Error('short question');
  return { id: buf.readUInt16BE(0), name, type: buf.readUInt16BE(next), end: next + 4 };
}

/** IPv4 addresses in the answer section. */
export function answerAddresses(buf: Buffer): string[] {
  const out: string[] = [];
  if (buf.length < 12) return out;
  const qd = buf.readUInt16BE(4);
  const an = buf.readUInt16BE(6);
  let pos = 12;
  for (let i = 0; i < qd; i++) pos = readName(buf, pos).next + 4;
  for (let i = 0; i < an; i++) {
    pos = readName(buf, pos).next;
    if (pos + 10 > buf.length) break;
    const type = buf.readUInt16BE(pos);
    const klass = buf.readUInt16BE(pos + 2);
    const len = buf.readUInt16BE(pos + 8);
    pos += 10;
    if (pos + len > buf.length) break;
    if (type === 1 && klass === 1 && len === 4) out.push(`${buf[pos]}.${buf[pos + 1]}.${buf[pos + 2]}.${buf[pos + 3]}`);
    pos += len;
  }
  return out;
}

/** An answer with no records and the given response code, echoing the question. */
export function reply(query: Buffer, q: Question | null, rcode: number): Buffer {
  const head = Buffer.alloc(12);
  head.writeUInt16BE(q?.id ?? (query.length >= 2 ? query.readUInt16BE(0) : 0), 0);
  const rd = query.length >= 3 ? query[2]! & 0x01 : 0;
  head[2] = 0x80 | rd; // QR=1, opcode 0, RD copied
  head[3] = 0x80 | (rcode & 0x0f); // RA=1
  head.writeUInt16BE(q ? 1 : 0, 4);
  return q ? Buffer.concat([head, query.subarray(12, q.end)]) : head;
}

/** Whether `name` is allowed by a list of exact names and `*.` wildcards (subdomains only). */
export function domainAllowed(name: string, allowed: string[]): boolean {
  const n = name.toLowerCase().replace(/\.$/, '');
  return allowed.some((a) => (a.startsWith('*.') ? n.endsWith(a.slice(1)) && n.length > a.length - 1 : n === a));
}
