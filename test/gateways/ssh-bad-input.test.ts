// Bad input at the SSH port: a client with no usable auth method, garbage
// before the version line, an oversize packet, a client that says nothing.
// Each is refused quickly, leaves no connection open, and nothing secret
// (tokens are SSH user names) reaches the log, even at debug level.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '../../common/log.js';
import { ssh, sshFixture, type SshFixture } from './ssh-helpers.js';

/** Sends `data` to the SSH port; resolves with what came back and how long until the server closed. */
function probe(
  port: number,
  data: Buffer | null,
  waitMs = 20_000,
): Promise<{ got: string; closedAfterMs: number | null }> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const s = net.connect(port, '127.0.0.1');
    let got = '';
    const timer = setTimeout(() => {
      s.destroy();
      resolve({ got, closedAfterMs: null });
    }, waitMs);
    s.on('data', (d) => {
      got += d.toString('latin1');
      if (data && got.includes('\n')) {
        s.write(data);
        data = null;
      }
    });
    s.on('error', () => {});
    s.once('close', () => {
      clearTimeout(timer);
      resolve({ got, closedAfterMs: Date.now() - t0 });
    });
  });
}

describe('ssh gateway: bad input', () => {
  let f: SshFixture;
  const lines: string[] = [];

  before(async () => {
    f = await sshFixture({
      stack: {
        config: { sshLoginTimeoutSeconds: 2 },
        log: createLogger({ level: 'debug', write: (l) => lines.push(l) }),
      },
    });
  });
  after(async () => {
    await f?.close();
  });

  const settled = async () => {
    for (let i = 0; i < 50 && f.stack.server.ssh!.openConnections() > 0; i++) await sleep(100);
    assert.equal(f.stack.server.ssh!.openConnections(), 0, 'no connection left open');
  };

  it('refuses a client with no usable auth method, quickly', async () => {
    const byPassword = await ssh(f, f.name, ['-o', 'PreferredAuthentications=password,keyboard-interactive', 'true']);
    assert.equal(byPassword.code, 255);
    assert.match(byPassword.stderr, /Permission denied \(publickey\)/);
    assert.ok(byPassword.ms < 5000, `${byPassword.ms} ms`);
    const noKeys = await ssh(f, f.name, ['-o', 'PubkeyAuthentication=no', 'true']);
    assert.equal(noKeys.code, 255);
    assert.match(noKeys.stderr, /Permission denied \(publickey\)/);
    await settled();
  });

  it('closes on garbage before the version line, after sending its own', async () => {
    const r = await probe(f.port, Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    assert.match(r.got, /^SSH-2\.0-Berth_/);
    assert.ok(r.closedAfterMs !== null && r.closedAfterMs < 3000, `closed after ${r.closedAfterMs} ms`);
    await settled();
  });

  it('closes on an oversize packet', async () => {
    const packet = Buffer.alloc(64);
    packet.writeUInt32BE(0x7fffffff, 0);
    const r = await probe(f.port, Buffer.concat([Buffer.from('SSH-2.0-OpenSSH_9.2\r\n'), packet]));
    assert.ok(r.closedAfterMs !== null && r.closedAfterMs < 3000, `closed after ${r.closedAfterMs} ms`);
    await settled();
  });

  it('drops a client that never logs in, after the login timeout', async () => {
    const silent = await probe(f.port, null);
    assert.ok(
      silent.closedAfterMs !== null && silent.closedAfterMs >= 1500 && silent.closedAfterMs < 5000,
      `closed after ${silent.closedAfterMs} ms`,
    );
    await settled();
  });

  it('logs no token, failed or good', async () => {
    const good = await f.token();
    const bad = 'z'.repeat(32);
    assert.equal((await ssh(f, good, ['true'])).code, 0);
    assert.equal((await ssh(f, bad, ['true'])).code, 255);
    await f.stack.server.orch.audit.flush();
    const log = lines.join('\n');
    assert.match(log, /ssh login failed/, 'the failure is logged');
    assert.ok(!log.includes(good) && !log.includes(bad), 'no token in the log');
    const audit = JSON.stringify((await f.stack.api('GET', '/audit?limit=1000')).body);
    assert.ok(!audit.includes(good), 'no token in the audit log');
  });
});
