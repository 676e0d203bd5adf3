// Berth's resource URIs, built and parsed in one place.
//   sandbox://{id}                          sandbox info (JSON)
//   sandbox://{id}/files/{+path}            file content; a folder gives a JSON listing
//   sandbox://{id}/processes/{pid}/output   output of a background process
export const SANDBOX_URI = 'sandbox://{id}';
export const FILE_URI = 'sandbox://{id}/files/{+path}';
export const PROCESS_OUTPUT_URI = 'sandbox://{id}/processes/{pid}/output';

export const sandboxUri = (id: string) => `sandbox://${encodeURIComponent(id)}`;
export const fileUri = (id: string, path: string) =>
  `${sandboxUri(id)}/files/${path.replace(/^\/+/, '').split('/').map(encodeURIComponent).join('/')}`;
export const processOutputUri = (id: string, pid: string) =>
  `${sandboxUri(id)}/processes/${encodeURIComponent(pid)}/output`;

export type ParsedUri =
  | { kind: 'sandbox'; id: string }
  | { kind: 'file'; id: string; path: string }
  | { kind: 'process'; id: string; pid: string };

export function parseUri(uri: string): ParsedUri | undefined {
  const m = /^sandbox:\/\/([^/]+)(?:\/(files)\/(.*)|\/(processes)\/([^/]+)\/output)?$/.exec(uri);
  if (!m) return undefined;
  const id = decodeURIComponent(m[1]!);
  if (m[2]) return { kind: 'file', id, path: '/' + m[3]!.split('/').map(decodeURIComponent).join('/') };
  if (m[4]) return { kind: 'process', id, pid: decodeURIComponent(m[5]!) };
  return { kind: 'sandbox', id };
}
