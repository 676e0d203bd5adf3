// Which requests are previews (gateways/preview/host.ts), and what preview
// links look like for each configuration (orchestrator/preview/links.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type http from 'node:http';
import { matchHost } from '../../gateways/preview/host.js';
import { PreviewLinks } from '../../orchestrator/preview/links.js';
import { loadConfig } from '../../common/config.js';

const ID = '3f0c2a4e-1b2c-4d5e-8f90-a1b2c3d4e5f6';
const req = (hosts: string[], url = '/') =>
  ({ rawHeaders: hosts.flatMap((h) => ['Host', h]), url }) as unknown as http.IncomingMessage;

describe('preview hosts', () => {
  it('claims {port}-{id or token}.<domain> and nothing else', () => {
    assert.deepEqual(matchHost(req([`8080-${ID}.localhost:3000`]), 'localhost'), {
      kind: 'preview',
      port: 8080,
      label: ID,
      host: `8080-${ID}.localhost`,
    });
    assert.deepEqual(matchHost(req([`443-${'a'.repeat(32)}.PREVIEW.example.com.`]), 'preview.example.com'), {
      kind: 'preview',
      port: 443,
      label: 'a'.repeat(32),
      host: `443-${'a'.repeat(32)}.preview.example.com`,
    });
    for (const h of [
      'localhost:3000',
      '127.0.0.1:3000',
      'berth.example.com',
      `x.8080-${ID}.localhost`,
      'localhost',
      '[::1]:3000',
    ])
      assert.equal(matchHost(req([h]), 'localhost').kind, 'main', h);
    assert.equal(matchHost(req([`8080-${ID}.localhost`]), 'preview.example.com').kind, 'main');
  });

  it('refuses ambiguous or malformed preview requests', () => {
    const bad = (hosts: string[], url?: string) => matchHost(req(hosts, url), 'localhost');
    assert.match((bad([`8080-${ID}.localhost`, 'localhost']) as { message: string }).message, /exactly one Host/);
    assert.match((bad(['localhost', `8080-${ID}.localhost`]) as { message: string }).message, /exactly one Host/);
    assert.match(
      (bad([`8080-${ID}.localhost`], `http://9090-${ID}.localhost/`) as { message: string }).message,
      /absolute-form/,
    );
    assert.match(
      (bad(['localhost:3000'], `http://8080-${ID}.localhost/`) as { message: string }).message,
      /absolute-form/,
    );
    assert.match((bad([`user@8080-${ID}.localhost`]) as { message: string }).message, /malformed Host/);
    for (const label of ['0', '65536', '08080', 'abc', '99999999'])
      assert.match((bad([`${label}-${ID}.localhost`]) as { message: string }).message, /must start with a port/, label);
  });
});

describe('preview links', () => {
  const links = (env: Record<string, string>) => new PreviewLinks(loadConfig({}, env));
  it('follow the public URL by default, and the settings when given', () => {
    assert.equal(links({}).url(8080, ID), `http://8080-${ID}.localhost:3000`);
    assert.equal(links({ PORT: '4321' }).url(1, ID), `http://1-${ID}.localhost:4321`);
    const zero = links({ PORT: '0' });
    zero.servedOn(40123);
    assert.equal(zero.url(8080, ID), `http://8080-${ID}.localhost:40123`);
    assert.equal(
      links({ BERTH_PUBLIC_URL: 'https://berth.example.com', BERTH_PREVIEW_DOMAIN: 'preview.example.com' }).url(
        8080,
        ID,
      ),
      `https://8080-${ID}.preview.example.com`,
    );
    assert.equal(
      links({ BERTH_PUBLIC_URL: 'http://berth.example.com:8000' }).template(),
      'http://{{PORT}}-{{sandboxId}}.localhost:8000',
    );
    assert.equal(links({ BERTH_PREVIEW_PORT: '4000' }).url(8080, ID), `http://8080-${ID}.localhost:4000`);
    assert.equal(
      links({ BERTH_PREVIEW_PORT: '4000', BERTH_PREVIEW_PUBLIC_PORT: '443', BERTH_PREVIEW_PROTOCOL: 'https' }).url(
        8080,
        ID,
      ),
      `https://8080-${ID}.localhost`,
    );
  });
});
