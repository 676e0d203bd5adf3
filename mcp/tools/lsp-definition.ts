import { z } from 'zod';
import { defineTool } from '../tool.js';
import { sandboxId } from './shapes.js';
import { LocationOut, fileUri, locationOut, position, server, toWire, where } from './lsp-shapes.js';

export default defineTool({
  name: 'lsp_definition',
  group: 'lsp',
  title: 'Go to definition',
  description: 'Finds where the symbol at a line and column of a file is defined.',
  input: z.object({ sandbox_id: sandboxId, ...server, path: z.string().min(1), ...position }),
  output: z.object({ locations: z.array(LocationOut) }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run({ orch, principal }, a) {
    const doc = { languageId: a.language, pathToProject: a.project_path, uri: fileUri(a.path) };
    await orch.toolbox.lsp.didOpen(principal, a.sandbox_id, doc).catch(() => {});
    const locations = (
      await orch.toolbox.lsp.definition(principal, a.sandbox_id, { ...doc, position: toWire(a.line, a.column) })
    ).map(locationOut);
    return { data: { locations }, text: locations.length ? locations.map(where).join('\n') : 'No definition found.' };
  },
});
