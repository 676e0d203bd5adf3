// Git tab: status and diff of a repository in the sandbox.
import { html, useEffect, useState } from '../lib/html.js';
import { api, q, tb } from '../api.js';
import { ErrorNote, Loading, useData } from '../lib/ui.js';

function Diff({ text }) {
  if (!text) return html`<p class="muted">No changes.</p>`;
  return html`<pre class="diff" tabindex="0" aria-label="Diff">${text.split('\n').map((l) => html`<span class=${l.startsWith('+') && !l.startsWith('+++') ? 'add' : l.startsWith('-') && !l.startsWith('---') ? 'del' : l.startsWith('@@') ? 'hunk' : ''}>${l}\n</span>`)}</pre>`;
}

export function Git({ sandbox }) {
  const home = useData(() => api('GET', tb(sandbox.id, '/work-dir')), [sandbox.id]);
  const [path, setPath] = useState('');
  const [repo, setRepo] = useState(null);
  const [staged, setStaged] = useState(false);
  // Starts at the work folder unless the user already typed one.
  useEffect(() => {
    if (!home.data || repo !== null) return;
    setPath((p) => p || home.data.dir);
    setRepo((r) => r ?? home.data.dir);
  }, [home.data]);
  // A folder without .git says so without asking git (and without a failed request).
  const status = useData(async () => {
    if (!repo) return null;
    const entries = await api('GET', tb(sandbox.id, `/files${q({ path: repo })}`));
    if (!entries.some((f) => f.name === '.git')) return { notRepo: true };
    return api('GET', tb(sandbox.id, `/git/status${q({ path: repo })}`));
  }, [repo]);
  const diff = useData(
    () =>
      repo && status.data && !status.data.notRepo
        ? api('GET', tb(sandbox.id, `/git/diff${q({ path: repo, staged: staged ? 'true' : undefined })}`))
        : Promise.resolve(null),
    [repo, staged, status.data],
  );
  return html`<div class="git">
    <form class="inline-form" onSubmit=${(e) => {
      e.preventDefault();
      setRepo(path.trim());
    }}>
      <label>Repository folder<input value=${path} onInput=${(e) => setPath(e.currentTarget.value)} spellcheck="false" /></label>
      <button type="submit">Show</button>
    </form>
    ${
      status.error
        ? html`<${ErrorNote} error=${status.error} />${status.error.status === 404 || /not a git/i.test(status.error.message) ? html`<p class="muted">Clone a repository here with the SDK (git.clone), MCP (git_clone) or the terminal.</p>` : null}`
        : !status.data
          ? html`<${Loading} />`
          : status.data.notRepo
            ? html`<p class="muted">${repo} is not a git repository. Clone one with the SDK (git.clone), MCP (git_clone) or the Terminal, then show its folder here.</p>`
            : html`<p>Branch <code>${status.data.currentBranch || '(none)'}</code>${status.data.ahead ? ` · ${status.data.ahead} ahead` : ''}${status.data.behind ? ` · ${status.data.behind} behind` : ''}</p>
          ${
            status.data.fileStatus?.length
              ? html`<table aria-label="Changed files"><thead><tr><th scope="col">File</th><th scope="col">Staged</th><th scope="col">Work tree</th></tr></thead>
                <tbody>${status.data.fileStatus.map((f) => html`<tr><td class="mono">${f.name}</td><td>${f.staging}</td><td>${f.worktree}</td></tr>`)}</tbody></table>`
              : html`<p class="muted">Working tree clean.</p>`
          }
          <label class="check"><input type="checkbox" checked=${staged} onChange=${(e) => setStaged(e.currentTarget.checked)} /> Staged changes</label>
          <${ErrorNote} error=${diff.error} />
          ${diff.data ? html`<${Diff} text=${diff.data.diff} />` : null}`
    }
  </div>`;
}
