// The one place that decides whether a request (or upgrade) is for a preview:
// its Host is `{port}-{sandboxId or signed token}.{BERTH_PREVIEW_DOMAIN}`.
// Everything else belongs to the API, MCP, web UI and toolbox. Requests that
// could name two hosts (duplicate Host, an absolute-form target, userinfo)
// are refused when either names a preview host, so no layer can be talked
// into routing by a different host than the one checked.
import type http from 'node:http';

export type HostMatch =
  | { kind: 'main' }
  | { kind: 'preview'; port: number; label: string; host: string }
  | { kind: 'bad'; message: string; hint: string };

const LABEL_RE = /^([0-9]+)-([a-z0-9][a-z0-9-]*)$/;

/** `name` without a port, lower-case, when it is a plain DNS name (or IPv6 literal); else null. */
function hostName(raw: string): string | null {
  const m = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::([0-9]{1,5}))?$/i.exec(raw.trim());
  return m ? m[1]!.toLowerCase().replace(/\.$/, '') : null;
}

/** Whether `raw` (a Host value) is under the preview domain as one more label. */
function previewLabel(raw: string, domain: string): string | null {
  const lower = raw.trim().toLowerCase();
  // Userinfo or anything odd: judge by what follows the last '@'.
  const name = hostName(lower.slice(lower.lastIndexOf('@') + 1)) ?? '';
  const suffix = `.${domain}`;
  if (!name.endsWith(suffix)) return null;
  const label = name.slice(0, -suffix.length);
  return label && !label.includes('.') && label.includes('-') ? label : null;
}

export function matchHost(req: http.IncomingMessage, domain: string): HostMatch {
  const hosts: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2)
    if (req.rawHeaders[i]!.toLowerCase() === 'host') hosts.push(req.rawHeaders[i + 1]!);
  const target = req.url ?? '/';
  let targetHost: string | null = null;
  if (!target.startsWith('/') && target !== '*') {
    try {
      targetHost = new URL(target).host;
    } catch {
      targetHost = target;
    }
  }
  const named = [...hosts, ...(targetHost !== null ? [targetHost] : [])];
  if (!named.some((h) => previewLabel(h, domain) !== null)) return { kind: 'main' };
  const refuse = (message: string): HostMatch => ({
    kind: 'bad',
    message,
    hint: `send one Host header naming {port}-{sandboxId}.${domain} and a request target that starts with /`,
  });
  if (hosts.length !== 1) return refuse('a preview request needs exactly one Host header');
  if (targetHost !== null) return refuse('absolute-form request targets are not accepted on preview hosts');
  const host = hosts[0]!;
  if (host.includes('@') || !hostName(host))
    return refuse(`malformed Host header ${JSON.stringify(host.slice(0, 100))}`);
  const label = previewLabel(host, domain)!;
  const m = LABEL_RE.exec(label);
  const port = m ? Number(m[1]) : NaN;
  if (!m || !/^[1-9][0-9]{0,4}$/.test(m[1]!) || port > 65535) {
    return {
      kind: 'bad',
      message: `unknown preview host ${JSON.stringify(label)}: it must start with a port (1-65535), then a dash`,
      hint: `preview hosts look like 8080-<sandboxId>.${domain}`,
    };
  }
  return { kind: 'preview', port, label: m[2]!, host: hostName(host)! };
}
