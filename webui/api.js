// The UI's only way to the server: the public REST API, with the session
// cookie (HttpOnly: script never sees it) and the header that proves the
// request comes from this page (see http/session.ts). Errors carry the API's
// own message and hint, which every failed action shows.
export const CSRF_HEADER = 'x-berth-csrf';

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message || `request failed with HTTP ${status}`);
    this.status = status;
    this.code = body?.code;
    this.hint = body?.hint;
  }
}

const state = { organizationId: null, onSignedOut: () => {} };

/** The organization every call acts in (X-Daytona-Organization-ID); null = the key's own. */
export const setOrganization = (id) => (state.organizationId = id);
export const currentOrganization = () => state.organizationId;
export const onSignedOut = (f) => (state.onSignedOut = f);

const headers = (extra = {}) => ({
  [CSRF_HEADER]: '1',
  accept: 'application/json',
  ...(state.organizationId ? { 'x-daytona-organization-id': state.organizationId } : {}),
  ...extra,
});

export const url = (path) => (path.startsWith('/toolbox/') ? path : `/api${path}`);
/** Toolbox path of a sandbox. */
export const tb = (id, path) => `/toolbox/${encodeURIComponent(id)}${path}`;
export const q = (params) => {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') s.append(k, String(v));
  const t = s.toString();
  return t ? `?${t}` : '';
};

async function failure(res) {
  let body;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  const err = new ApiError(res.status, body);
  // Signed out, expired or revoked: back to the sign-in page (but not for the sign-in call itself).
  if (res.status === 401) state.onSignedOut(err);
  return err;
}

/**
 * fetch, with reads tried again when the request never got an answer: Chromium cuts in-flight
 * requests short when the host's network changes, which Docker does whenever a sandbox starts.
 */
async function send(u, init, tries = init.method === 'GET' ? 3 : 1) {
  for (let i = 1; ; i++) {
    try {
      return await fetch(u, init);
    } catch (e) {
      if (i >= tries || init.signal?.aborted)
        throw new ApiError(0, {
          message: `no answer from Berth (${e.message})`,
          hint: 'check that the server runs and try again',
        });
      await new Promise((r) => setTimeout(r, 200 * i));
    }
  }
}

export async function api(method, path, body, opts = {}) {
  const res = await send(url(path), {
    method,
    credentials: 'same-origin',
    headers: headers(body !== undefined ? { 'content-type': 'application/json' } : {}),
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: opts.signal,
  });
  if (!res.ok) throw await failure(res);
  if (res.status === 204) return undefined;
  const type = res.headers.get('content-type') ?? '';
  return type.includes('json') ? res.json() : res.text();
}

export const get = (path, opts) => api('GET', path, undefined, opts);

// A read started before the page knows it is signed in (the first page's data,
// asked beside the session check): the view that needs it takes it once, if it
// worked and is fresh; otherwise the view asks again as usual.
const early = new Map();
export function prefetch(path) {
  early.set(path, {
    at: Date.now(),
    result: api('GET', path).then(
      (data) => ({ data }),
      () => null,
    ),
  });
}
export async function getPrefetched(path) {
  const e = early.get(path);
  early.delete(path);
  const r = e && Date.now() - e.at < 5000 ? await e.result : null;
  return r ? r.data : api('GET', path);
}

/**
 * Reads a text stream (a build log with ?follow=true) chunk by chunk until the server ends it.
 * `link` is a URL the API handed out for this server: only its path is used, so the request goes to the
 * page's own origin with the session cookie even when BERTH_PUBLIC_URL names the server otherwise.
 */
export async function streamText(link, onChunk, signal) {
  const u = new URL(link, location.origin);
  u.searchParams.set('follow', 'true');
  const init = { method: 'GET', credentials: 'same-origin', headers: headers({ accept: 'text/plain' }), signal };
  const res = await send(u.pathname + u.search, init);
  if (!res.ok) throw await failure(res);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    onChunk(value);
  }
}

/** Reads a file of a sandbox as text. */
export async function readText(id, path) {
  const res = await send(url(tb(id, `/files/download${q({ path })}`)), {
    method: 'GET',
    credentials: 'same-origin',
    headers: headers(),
  });
  if (!res.ok) throw await failure(res);
  return res.text();
}

/** Writes text (or a Blob) to a file of a sandbox. */
export function writeFile(id, path, content, onProgress) {
  const blob = content instanceof Blob ? content : new Blob([content], { type: 'text/plain' });
  return upload(id, path, blob, onProgress);
}

/** Uploads a file with progress (fetch has no upload progress, XMLHttpRequest does). */
export function upload(id, path, file, onProgress = () => {}) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url(tb(id, `/files/upload${q({ path })}`)));
    for (const [k, v] of Object.entries(headers())) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => {
      let body;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = undefined;
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve(body);
      } else {
        if (xhr.status === 401) state.onSignedOut();
        reject(new ApiError(xhr.status, body));
      }
    };
    xhr.onerror = () =>
      reject(new ApiError(0, { message: 'the upload was interrupted', hint: 'check the connection and try again' }));
    const form = new FormData();
    form.append('file', file, file.name || path.split('/').pop());
    xhr.send(form);
  });
}

/** Downloads a sandbox file through the API (with the page's credentials) and saves it. */
export async function download(id, path) {
  const res = await send(url(tb(id, `/files/download${q({ path })}`)), {
    method: 'GET',
    credentials: 'same-origin',
    headers: headers(),
  });
  if (!res.ok) throw await failure(res);
  saveBlob(await res.blob(), path.split('/').pop() || 'download');
}

export function saveBlob(blob, name) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}
