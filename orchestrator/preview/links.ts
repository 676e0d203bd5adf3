// What preview URLs look like: `{scheme}://{port}-{label}.{domain}[:{public port}]`.
// The scheme and port follow BERTH_PUBLIC_URL unless set on their own
// (BERTH_PREVIEW_PROTOCOL, BERTH_PREVIEW_PUBLIC_PORT, BERTH_PREVIEW_PORT), so a
// default install hands out `http://8080-<id>.localhost:3000`, served by the
// main port, and an install behind a TLS proxy hands out `https://…` links.
import type { Config } from '../../common/config.js';

export class PreviewLinks {
  /** The port the server really listens on (PORT=0 picks one at start). */
  private served: number | undefined;

  constructor(private readonly c: Config) {}

  /** Called once the main port listens, for public URLs that name port 0. */
  servedOn(port: number): void {
    this.served = port;
  }

  /** Scheme and `:port` suffix (empty for the scheme's default port). */
  private origin(): { scheme: string; suffix: string } {
    const pub = new URL(this.c.publicUrl);
    const scheme = this.c.previewProtocol ?? (pub.protocol === 'https:' ? 'https' : 'http');
    const fallback = pub.port === '0' ? (this.served ?? 0) : Number(pub.port || (pub.protocol === 'https:' ? 443 : 80));
    const port = this.c.previewPublicPort ?? this.c.previewPort ?? fallback;
    return { scheme, suffix: port === (scheme === 'https' ? 443 : 80) ? '' : `:${port}` };
  }

  url(port: number, label: string): string {
    const o = this.origin();
    return `${o.scheme}://${port}-${label}.${this.c.previewDomain}${o.suffix}`;
  }

  /** The SDK's `proxyTemplateUrl` (GET /api/config). */
  template(): string {
    const o = this.origin();
    return `${o.scheme}://{{PORT}}-{{sandboxId}}.${this.c.previewDomain}${o.suffix}`;
  }
}
