// HTTP as a preview user's client sends it: to a preview URL as handed out
// (`http://8080-<id>.localhost:<port>`), resolving *.localhost to loopback as
// browsers and curl do, plus raw-socket requests for the smuggling rows.
import http from 'node:http';
import net from 'node:net';
import type { LookupFunction } from 'node:net';
import type { Json } from '../helpers/json.js';

/** *.localhost is loopback (RFC 6761), whatever the system resolver says. */
export const lookup: LookupFunction = (host, options, cb) => {
  if (host === 'localhost' || host.endsWith('.localhost')) {
    if ((options as { all?: boolean }).all) return (cb as Json)(null, [{ address: '127.0.0.1', family: 4 }]);
    return cb(null, '127.0.0.1', 4);
  }
  return cb(new Error(`tests resolve *.localhost only, not ${host}`) as NodeJS.ErrnoException, '', 4);
};

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: Json;
}

export interface SendOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  agent?: http.Agent | false;
}

/** Sends a request to `url` and reads the whole answer. */
export function send(url: string, o: SendOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: o.method ?? 'GET', headers: o.headers, lookup, agent: o.agent ?? false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(o.body);
  });
}

/** Opens `url` and resolves with the response as soon as its headers arrive (the body keeps streaming). */
export function open(url: string, o: SendOptions = {}): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: o.method ?? 'GET', headers: o.headers, lookup, agent: o.agent ?? false },
      resolve,
    );
    req.on('error', reject);
    req.end(o.body);
  });
}

/** Writes raw bytes to the server and collects what it answers until it closes (or `ms` pass). */
export function raw(port: number, bytes: string, ms = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => s.destroy(), ms);
    s.on('data', (c) => chunks.push(c));
    s.on('error', reject);
    s.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
    s.write(bytes);
  });
}
