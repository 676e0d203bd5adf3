// `berth audit`: the organization's audit log, newest first.
import { ApiClient, resolveSettings } from '../client.js';
import { print, table } from '../output.js';

type Flags = Record<string, unknown> & { json?: boolean; 'api-url'?: string; 'api-key'?: string };
type Page = { items: Record<string, unknown>[]; nextCursor: string | null };

export async function audit(f: Flags): Promise<void> {
  const c = new ApiClient(resolveSettings(f));
  const limit = Number(f.limit ?? 50);
  const items: Record<string, unknown>[] = [];
  let cursor: string | undefined;
  do {
    const page = await c.request<Page>('GET', '/audit', undefined, {
      action: f.action as string | undefined,
      actorId: f.actor as string | undefined,
      targetId: f.target as string | undefined,
      outcome: f.outcome as string | undefined,
      from: f.since as string | undefined,
      to: f.until as string | undefined,
      limit: String(Math.min(1000, limit - items.length)),
      cursor,
    });
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && items.length < limit);
  const rows = items.map((e) => ({
    ...e,
    who: e.actor ?? e.userId ?? e.actorType,
    target: e.targetId ? `${String(e.targetType)}:${String(e.targetId)}` : '',
  }));
  print(items, !!f.json, () =>
    table(rows, ['createdAt', 'who', 'action', 'target', 'outcome', 'errorCode', 'frontend', 'sourceIp']),
  );
}
