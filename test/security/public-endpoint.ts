// A stand-in for "somewhere on the internet" on a host without internet: a
// network namespace behind a veth pair, with an address outside every range
// sandboxes are always denied, serving HTTP. Sandboxes reach it through the
// host's forwarding path exactly like a public address. Needs root; removed
// (namespace, link, server) on close.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export interface PublicEndpoint {
  /** The endpoint's address (in 198.51.100.0/24, TEST-NET-2). */
  address: string;
  port: number;
  close(): void;
}

export function canCreatePublicEndpoint(): boolean {
  try {
    return process.getuid?.() === 0 && !!execFileSync('ip', ['-V'], { encoding: 'utf8' });
  } catch {
    return false;
  }
}

export async function startPublicEndpoint(): Promise<PublicEndpoint> {
  const tag = randomBytes(3).toString('hex');
  const ns = `bsec-${tag}`;
  const hostIf = `bsh${tag}`;
  const nsIf = `bsn${tag}`;
  const k = 1 + (randomBytes(1)[0]! % 60);
  const hostIp = `198.51.100.${k * 4 + 1}`;
  const address = `198.51.100.${k * 4 + 2}`;
  const ip = (...a: string[]) => execFileSync('ip', a, { stdio: 'pipe' });
  ip('netns', 'add', ns);
  ip('link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf);
  ip('link', 'set', nsIf, 'netns', ns);
  ip('addr', 'add', `${hostIp}/30`, 'dev', hostIf);
  ip('link', 'set', hostIf, 'up');
  ip('netns', 'exec', ns, 'ip', 'addr', 'add', `${address}/30`, 'dev', nsIf);
  ip('netns', 'exec', ns, 'ip', 'link', 'set', nsIf, 'up');
  ip('netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up');
  ip('netns', 'exec', ns, 'ip', 'route', 'add', 'default', 'via', hostIp);
  const port = 8080;
  const server: ChildProcess = spawn(
    'ip',
    [
      'netns',
      'exec',
      ns,
      'python3',
      '-c',
      `
import http.server
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.end_headers(); self.wfile.write(b'reached-the-internet')
    def log_message(self, *a): pass
http.server.HTTPServer(('${address}', ${port}), H).serve_forever()
`,
    ],
    { stdio: 'ignore' },
  );
  for (let i = 0; i < 50; i++) {
    try {
      execFileSync(
        'ip',
        ['netns', 'exec', ns, 'python3', '-c', `import socket; socket.create_connection(('${address}', ${port}), 1)`],
        { stdio: 'ignore' },
      );
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    address,
    port,
    close() {
      server.kill('SIGKILL');
      try {
        ip('link', 'del', hostIf);
      } catch {
        /* gone with the namespace */
      }
      try {
        ip('netns', 'del', ns);
      } catch {
        /* already gone */
      }
    },
  };
}
