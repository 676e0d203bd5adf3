// Files tab: browse with breadcrumbs, upload (picker or drag-and-drop, with
// progress), download, view and edit text, rename, delete, new folder.
import { html, useEffect, useState } from '../lib/html.js';
import { api, download, q, readText, tb, upload, writeFile } from '../api.js';
import { bytes, Confirm, Dialog, ErrorNote, Loading, Time, useAction, useData } from '../lib/ui.js';

const MAX_EDIT = 2 << 20;
const join = (dir, name) => `${dir.replace(/\/+$/, '')}/${name}`;

function Crumbs({ path, go }) {
  const parts = path.split('/').filter(Boolean);
  return html`<nav class="crumbs" aria-label="Folder">
    <a href="#" onClick=${(e) => {
      e.preventDefault();
      go('/');
    }}>/</a>
    ${parts.map(
      (p, i) =>
        html`<a href="#" onClick=${(e) => {
          e.preventDefault();
          go('/' + parts.slice(0, i + 1).join('/'));
        }}>${p}</a>${i < parts.length - 1 ? ' / ' : ''}`,
    )}
  </nav>`;
}

function Editor({ sandbox, file, onClose }) {
  const [text, setText] = useState(null);
  const [error, setError] = useState(null);
  const [saved, setSaved] = useState('');
  const save = useAction();
  useEffect(() => {
    if (file.size > MAX_EDIT)
      return setError({
        message: `${file.name} is ${bytes(file.size)}, too large to edit here`,
        hint: 'download it instead',
      });
    readText(sandbox.id, file.path)
      .then((t) =>
        t.includes('\0')
          ? setError({ message: `${file.name} is not a text file`, hint: 'download it instead' })
          : setText(t),
      )
      .catch(setError);
  }, [file.path]);
  const doSave = () =>
    save.run(async () => {
      await writeFile(sandbox.id, file.path, text);
      setSaved(`Saved ${new Date().toLocaleTimeString()}`);
    });
  return html`<${Dialog} title=${file.name} open=${true} onClose=${onClose} wide>
    <${ErrorNote} error=${error || save.error} />
    ${text === null && !error ? html`<${Loading} />` : null}
    ${
      text !== null
        ? html`<label class="visually-hidden" for="file-editor">Contents of ${file.name}</label><textarea id="file-editor" class="editor" spellcheck="false" value=${text} onInput=${(e) => setText(e.currentTarget.value)} onKeyDown=${(
            e,
          ) => {
            if ((e.ctrlKey || e.metaKey) && e.key === 's') {
              e.preventDefault();
              doSave();
            }
          }}></textarea>`
        : null
    }
    <div class="actions">
      <span role="status" class="muted">${saved}</span>
      <button onClick=${onClose}>Close</button>
      ${text !== null ? html`<button class="primary" disabled=${save.busy} onClick=${doSave}>Save</button>` : null}
    </div>
  <//>`;
}

export function Files({ sandbox }) {
  const home = useData(() => api('GET', tb(sandbox.id, '/user-home-dir')), [sandbox.id]);
  const [dir, setDir] = useState(null);
  useEffect(() => home.data && dir === null && setDir(home.data.dir), [home.data]);
  const list = useData(
    () => (dir ? api('GET', tb(sandbox.id, `/files${q({ path: dir })}`)) : Promise.resolve(null)),
    [sandbox.id, dir],
  );
  const [uploads, setUploads] = useState([]);
  const [editing, setEditing] = useState(null);
  const [renaming, setRenaming] = useState(null);
  const [deleting, setDeleting] = useState(null);
  const [newName, setNewName] = useState('');
  const [dragging, setDragging] = useState(false);
  const act = useAction();

  const send = async (files) => {
    const batch = [...files].map((f) => ({ name: f.name, progress: 0 }));
    setUploads((u) => [...u, ...batch]);
    await act.run(() =>
      Promise.all(
        [...files].map((f, i) =>
          upload(sandbox.id, join(dir, f.name), f, (p) => {
            batch[i].progress = p;
            setUploads((u) => [...u]);
          }),
        ),
      ),
    );
    setUploads((u) => u.filter((x) => !batch.includes(x)));
    list.reload();
  };
  const entries = (list.data ?? [])
    .slice()
    .sort((a, b) => (a.isDir === b.isDir ? a.name.localeCompare(b.name) : a.isDir ? -1 : 1));

  return html`<div
    class=${`files ${dragging ? 'dragging' : ''}`}
    onDragOver=${(e) => {
      e.preventDefault();
      setDragging(true);
    }}
    onDragLeave=${() => setDragging(false)}
    onDrop=${(e) => {
      e.preventDefault();
      setDragging(false);
      if (e.dataTransfer?.files?.length) send(e.dataTransfer.files);
    }}
  >
    <div class="files-bar">
      ${dir ? html`<${Crumbs} path=${dir} go=${setDir} />` : null}
      <div class="files-actions">
        <label class="button">Upload files<input type="file" multiple class="visually-hidden" aria-label="Upload files" onChange=${(
          e,
        ) => {
          send(e.currentTarget.files);
          e.currentTarget.value = '';
        }} /></label>
        <button onClick=${() => {
          setNewName('');
          setRenaming({ folder: true });
        }}>New folder</button>
        <button onClick=${() => list.reload()}>Refresh</button>
      </div>
    </div>
    <p class="muted drop-hint">Drop files here to upload them to this folder.</p>
    ${uploads.map((u) => html`<div class="upload"><span>${u.name}</span><progress max="1" value=${u.progress} aria-label=${`Uploading ${u.name}`}></progress></div>`)}
    <${ErrorNote} error=${act.error || list.error || home.error} onDismiss=${act.clear} />
    ${
      !list.data
        ? html`<${Loading} rows=${5} />`
        : html`<div class="table-wrap"><table aria-label="Files">
      <thead><tr><th scope="col">Name</th><th scope="col">Size</th><th scope="col">Modified</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
      <tbody>
        ${
          dir !== '/'
            ? html`<tr><td colspan="4"><a href="#" onClick=${(e) => {
                e.preventDefault();
                setDir(dir.replace(/\/[^/]+\/?$/, '') || '/');
              }}>..</a></td></tr>`
            : null
        }
        ${entries.length ? null : html`<tr><td colspan="4" class="muted">This folder is empty. Upload files with the button above or drop them here.</td></tr>`}
        ${entries.map((f) => {
          const path = f.path || join(dir, f.name);
          return html`<tr key=${path}>
            <td>${
              f.isDir
                ? html`<a href="#" class="dir" onClick=${(e) => {
                    e.preventDefault();
                    setDir(path);
                  }}>${f.name}/</a>`
                : html`<a href="#" onClick=${(e) => {
                    e.preventDefault();
                    setEditing({ ...f, path });
                  }}>${f.name}</a>`
            }</td>
            <td>${f.isDir ? '' : bytes(f.size)}</td>
            <td><${Time} value=${f.modTime ?? f.modifiedAt} /></td>
            <td class="row-actions">
              ${f.isDir ? null : html`<button aria-label=${`Download ${f.name}`} onClick=${() => act.run(() => download(sandbox.id, path))}>Download</button>`}
              <button aria-label=${`Rename ${f.name}`} onClick=${() => {
                setNewName(f.name);
                setRenaming({ ...f, path });
              }}>Rename</button>
              <button class="danger" aria-label=${`Delete ${f.name}`} onClick=${() => setDeleting({ ...f, path })}>Delete</button>
            </td>
          </tr>`;
        })}
      </tbody>
    </table></div>`
    }
    ${
      editing
        ? html`<${Editor} sandbox=${sandbox} file=${editing} onClose=${() => {
            setEditing(null);
            list.reload();
          }} />`
        : null
    }
    <${Dialog} title=${renaming?.folder ? 'New folder' : `Rename ${renaming?.name ?? ''}`} open=${!!renaming} onClose=${() => setRenaming(null)}>
      <form onSubmit=${async (e) => {
        e.preventDefault();
        const target = join(dir, newName.trim());
        const ok = await act.run(async () => {
          if (renaming.folder) await api('POST', tb(sandbox.id, `/files/folder${q({ path: target, mode: '0755' })}`));
          else await api('POST', tb(sandbox.id, `/files/move${q({ source: renaming.path, destination: target })}`));
          return true;
        });
        if (ok) {
          setRenaming(null);
          list.reload();
        }
      }}>
        <label>New name<input value=${newName} onInput=${(e) => setNewName(e.currentTarget.value)} required autocomplete="off" /></label>
        <${ErrorNote} error=${act.error} />
        <div class="actions"><button type="button" onClick=${() => setRenaming(null)}>Cancel</button><button class="primary" type="submit">${renaming?.folder ? 'Create folder' : 'Rename'}</button></div>
      </form>
    <//>
    <${Confirm}
      open=${!!deleting}
      title=${`Delete ${deleting?.name ?? ''}?`}
      message=${deleting?.isDir ? 'The folder and everything in it is deleted.' : 'The file is deleted.'}
      action="Delete"
      danger
      onConfirm=${async () => {
        await api(
          'DELETE',
          tb(sandbox.id, `/files${q({ path: deleting.path, recursive: deleting.isDir ? 'true' : undefined })}`),
        );
        list.reload();
      }}
      onClose=${() => setDeleting(null)}
    />
  </div>`;
}
