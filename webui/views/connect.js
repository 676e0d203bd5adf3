// Ready-to-paste snippets for the SDK, MCP clients and the CLI, filled with
// this server's URL. Never a key: each says where the key goes.
import { html } from '../lib/html.js';
import { api } from '../api.js';
import { Snippet, useData } from '../lib/ui.js';

export const KEY_PLACEHOLDER = '<your API key>';

export function snippets(base) {
  const apiUrl = `${base}/api`;
  return {
    sdk: `import { Daytona } from '@daytonaio/sdk';\n\nconst daytona = new Daytona({ apiUrl: '${apiUrl}', apiKey: process.env.DAYTONA_API_KEY });\nconst sandbox = await daytona.create({ language: 'python' });\nconsole.log((await sandbox.process.codeRun('print(6 * 7)')).result);\nawait sandbox.delete();`,
    env: `export DAYTONA_API_URL=${apiUrl}\nexport DAYTONA_API_KEY='${KEY_PLACEHOLDER}'`,
    mcpHttp: JSON.stringify(
      {
        mcpServers: {
          berth: { type: 'http', url: `${base}/mcp`, headers: { Authorization: `Bearer ${KEY_PLACEHOLDER}` } },
        },
      },
      null,
      2,
    ),
    mcpStdio: JSON.stringify(
      {
        mcpServers: {
          berth: {
            command: 'node',
            args: ['/path/to/berth/bin/berth.js', 'mcp'],
            env: { BERTH_API_URL: apiUrl, BERTH_API_KEY: KEY_PLACEHOLDER },
          },
        },
      },
      null,
      2,
    ),
    cli: `npx berth login --api-url ${apiUrl} --api-key '${KEY_PLACEHOLDER}'\nnpx berth sandbox list`,
  };
}

export function Connect() {
  const config = useData(() => api('GET', '/config'), []);
  const base = (config.data?.dashboardUrl || location.origin).replace(/\/+$/, '');
  const s = snippets(base);
  return html`<div class="connect">
    <p class="muted">Replace <code>${KEY_PLACEHOLDER}</code> with a key from <a href="/keys" data-route>API keys</a>. Keys are never shown here.</p>
    <h3>Daytona SDK (TypeScript)</h3>
    <${Snippet} label="SDK example" code=${s.sdk} />
    <${Snippet} label="SDK environment" code=${s.env} />
    <h3>MCP client over HTTP</h3>
    <${Snippet} label="MCP HTTP config" code=${s.mcpHttp} />
    <h3>MCP client over stdio</h3>
    <${Snippet} label="MCP stdio config" code=${s.mcpStdio} />
    <h3>CLI</h3>
    <${Snippet} label="CLI commands" code=${s.cli} />
  </div>`;
}

export const ConnectPage = () => html`<h1>Connect</h1><${Connect} />`;
