// Reads a file resource: text or blob content, a folder as a JSON listing.
import type { ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';
import type { ResourceDeps } from './index.js';
import { fileOut } from '../tools/shapes.js';

/** Resource reads return whole files up to this size; larger ones are cut and flagged in _meta. */
const MAX_RESOURCE_BYTES = 4 << 20;

export async function readFile(
  d: ResourceDeps,
  uri: string,
  sandboxId: string,
  path: string,
): Promise<ReadResourceResult> {
  const p = d.principal();
  const info = await d.orch.toolbox.files.stat(p, sandboxId, path);
  if (info.isDir) {
    const entries = (await d.orch.toolbox.files.list(p, sandboxId, path, 1)).map(fileOut);
    return { contents: [{ uri, mimeType: 'application/json', text: JSON.stringify({ path, entries }, null, 2) }] };
  }
  const r = await d.orch.toolbox.edit.read(p, sandboxId, path, { maxBytes: MAX_RESOURCE_BYTES });
  const meta = r.truncated ? { _meta: { 'berth/truncated': true, 'berth/size': r.size } } : {};
  return {
    contents: [
      r.encoding === 'base64'
        ? { uri, mimeType: r.mimeType, blob: r.content, ...meta }
        : { uri, mimeType: r.mimeType, text: r.content, ...meta },
    ],
  };
}
