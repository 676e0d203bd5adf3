// Organizations, members and invitations at Daytona's paths
// (/api/organizations…). Routes that name an organization act in it: the
// caller must be a member (else 404), and their role there is what counts.
import { z } from 'zod';
import type { Invitation, Member, Organization } from '../../orchestrator/index.js';
import { principal, type Ctx } from '../context.js';
import { queryString } from '../parse.js';
import { qs, queryObject } from '../query-fields.js';
import { route, type RouteTable } from '../route.js';

export const organizationDto = (o: Organization) => ({
  id: o.id,
  name: o.name,
  personal: o.personal,
  role: o.role,
  createdAt: o.createdAt.toISOString(),
  updatedAt: o.updatedAt.toISOString(),
});
export const memberDto = (m: Member) => ({
  userId: m.userId,
  organizationId: m.organizationId,
  email: m.email,
  name: m.name,
  role: m.role,
  createdAt: m.createdAt.toISOString(),
});
export const invitationDto = (i: Invitation & { token?: string; link?: string }) => ({
  id: i.id,
  organizationId: i.organizationId,
  ...(i.organizationName ? { organizationName: i.organizationName } : {}),
  email: i.email,
  role: i.role,
  invitedBy: i.invitedBy,
  status: i.status,
  expiresAt: i.expiresAt.toISOString(),
  createdAt: i.createdAt.toISOString(),
  updatedAt: i.updatedAt.toISOString(),
  // Only in the answer to the inviter, once: the invitee's one-time credential.
  ...(i.token ? { token: i.token, link: i.link } : {}),
});

const Invite = z
  .object({
    email: z.string().min(3).max(320),
    role: z.enum(['owner', 'admin', 'member']).optional(),
    expiresAt: z.string().datetime({ offset: true }).optional(),
    assignedRoleIds: z.array(z.string()).optional(),
  })
  .strict();
const Role = z
  .object({ role: z.enum(['owner', 'admin', 'member']), assignedRoleIds: z.array(z.string()).optional() })
  .strict();
const Accept = z
  .object({ token: z.string().min(1).max(200).optional(), name: z.string().min(1).max(200).optional() })
  .strict();

// Daytona clients also send defaultRegionId: one region here, so it is accepted and ignored.
const CreateOrg = z.object({ name: z.string(), defaultRegionId: z.string().optional() }).strict();
// What the defaults service reads (it checks each field itself, after the caller's role).
const Defaults = z
  .object({
    networkBlockAll: z.boolean().nullable().optional(),
    networkAllowList: z.string().nullable().optional().meta({ description: 'CIDRs, comma-separated' }),
    domainAllowList: z.string().nullable().optional().meta({ description: 'Domains, comma-separated' }),
    runtime: z.enum(['runc', 'gvisor']).nullable().optional(),
    autoStartOnRequest: z.boolean().nullable().optional(),
  })
  .strict();

const tags = ['organizations'];

export function registerOrganizations(t: RouteTable): void {
  const d = t.d;
  /** Acts in the organization the path names. */
  const inPath = { organization: (ctx: Ctx) => ctx.params.id };

  const all = queryObject({ all: qs.bool('Every organization (system admins)') });
  route(
    t,
    { method: 'get', path: '/organizations', summary: 'List your organizations', tags, auth: 'key', query: all },
    async (ctx, { query: q }) => {
      ctx.body = (await d.orch.orgs.list(principal(ctx), { all: q.all ?? false })).map(organizationDto);
    },
  );
  const created = { 201: 'Created' };
  route(
    t,
    {
      method: 'post',
      path: '/organizations',
      summary: 'Create an organization',
      tags,
      auth: 'key',
      body: CreateOrg,
      example: { name: 'team' },
      responses: created,
    },
    async (ctx, { body: b }) => {
      ctx.status = 201;
      ctx.body = organizationDto(await d.orch.orgs.create(principal(ctx), b.name));
    },
  );

  // Invitations addressed to the caller (any organization).
  route(
    t,
    { method: 'get', path: '/organizations/invitations', summary: 'Invitations addressed to you', tags, auth: 'key' },
    async (ctx) => {
      ctx.body = (await d.orch.invitations.mine(principal(ctx))).map(invitationDto);
    },
  );
  route(
    t,
    {
      method: 'post',
      path: '/organizations/invitations/:invitationId/accept',
      summary: 'Accept an invitation',
      tags,
      auth: 'key',
    },
    async (ctx) => {
      ctx.body = invitationDto(await d.orch.invitations.accept(principal(ctx), ctx.params.invitationId!));
    },
  );
  route(
    t,
    {
      method: 'post',
      path: '/organizations/invitations/:invitationId/decline',
      summary: 'Decline an invitation',
      tags,
      auth: 'key',
    },
    async (ctx) => {
      ctx.body = invitationDto(await d.orch.invitations.decline(principal(ctx), ctx.params.invitationId!));
    },
  );
  // The invitee has no key yet: the one-time token is the credential.
  const token = queryObject({ token: qs.string('The one-time token, when the body has none') });
  const own = { own: "the invitation's one-time token (body or ?token=)" };
  const accept = {
    method: 'post',
    path: '/invitations/accept',
    summary: 'Accept an invitation with its token (for an API key)',
    tags,
    auth: own,
  } as const;
  route(
    t,
    { ...accept, query: token, body: Accept, example: { token: 'no-such-token', name: 'Ada' } },
    async (ctx, { body: b }) => {
      const tok = b.token ?? queryString(ctx, 'token', true);
      const r = await d.orch.invitations.acceptWithToken(tok, b.name, {
        ip: ctx.state.clientIp,
        frontend: 'rest',
        requestId: ctx.state.requestId,
      });
      ctx.body = {
        organizationId: r.invitation.organizationId,
        userId: r.userId,
        role: r.invitation.role,
        apiKey: r.apiKey,
      };
    },
  );

  route(
    t,
    { method: 'get', path: '/organizations/:id', summary: 'Get an organization', tags, auth: inPath },
    async (ctx) => {
      ctx.body = organizationDto(await d.orch.orgs.get(principal(ctx)));
    },
  );
  route(
    t,
    {
      method: 'delete',
      path: '/organizations/:id',
      summary: 'Delete an organization',
      tags,
      auth: inPath,
      responses: { 204: 'Deleted' },
    },
    async (ctx) => {
      await d.orch.orgs.remove(principal(ctx));
      ctx.status = 204;
    },
  );
  route(
    t,
    { method: 'get', path: '/organizations/:id/users', summary: 'List members', tags, auth: inPath },
    async (ctx) => {
      ctx.body = (await d.orch.orgs.members(principal(ctx))).map(memberDto);
    },
  );
  const access = {
    method: 'post',
    path: '/organizations/:id/users/:userId/access',
    summary: "Change a member's role",
    tags,
    auth: inPath,
  } as const;
  route(t, { ...access, body: Role, example: { role: 'member' } }, async (ctx, { body: b }) => {
    ctx.body = memberDto(await d.orch.orgs.setRole(principal(ctx), ctx.params.userId!, b.role));
  });
  route(
    t,
    {
      method: 'delete',
      path: '/organizations/:id/users/:userId',
      summary: 'Remove a member',
      tags,
      auth: inPath,
      responses: { 204: 'Removed' },
    },
    async (ctx) => {
      await d.orch.orgs.removeMember(principal(ctx), ctx.params.userId!);
      ctx.status = 204;
    },
  );
  route(
    t,
    {
      method: 'post',
      path: '/organizations/:id/leave',
      summary: 'Leave an organization',
      tags,
      auth: inPath,
      responses: { 204: 'Left' },
    },
    async (ctx) => {
      await d.orch.orgs.removeMember(principal(ctx), principal(ctx).userId);
      ctx.status = 204;
    },
  );
  route(
    t,
    {
      method: 'get',
      path: '/organizations/:id/invitations',
      summary: "List an organization's invitations",
      tags,
      auth: inPath,
    },
    async (ctx) => {
      ctx.body = (await d.orch.invitations.list(principal(ctx))).map(invitationDto);
    },
  );
  const invite = {
    method: 'post',
    path: '/organizations/:id/invitations',
    summary: 'Invite someone (the answer has their one-time link)',
    tags,
    auth: inPath,
  } as const;
  route(
    t,
    { ...invite, body: Invite, example: { email: 'ada@example.com', role: 'member' }, responses: created },
    async (ctx, { body: b }) => {
      ctx.status = 201;
      ctx.body = invitationDto(
        await d.orch.invitations.invite(principal(ctx), {
          email: b.email,
          role: b.role,
          expiresAt: b.expiresAt ? new Date(b.expiresAt) : undefined,
        }),
      );
    },
  );
  const cancel = {
    method: 'post',
    path: '/organizations/:id/invitations/:invitationId/cancel',
    summary: 'Cancel an invitation',
    tags,
    auth: inPath,
  } as const;
  route(t, cancel, async (ctx) => {
    ctx.body = invitationDto(await d.orch.invitations.cancel(principal(ctx), ctx.params.invitationId!));
  });
  route(
    t,
    {
      method: 'get',
      path: '/organizations/:id/defaults',
      summary: "The organization's defaults for new sandboxes",
      tags,
      auth: inPath,
    },
    async (ctx) => {
      ctx.body = await d.orch.defaults.get(principal(ctx).organizationId);
    },
  );
  const defaults = {
    method: 'put',
    path: '/organizations/:id/defaults',
    summary: 'Set defaults for new sandboxes (null clears one)',
    tags,
    auth: inPath,
  } as const;
  route(
    t,
    { ...defaults, body: Defaults, bodyCheckedBy: 'service', example: { networkBlockAll: false, runtime: null } },
    async (ctx) => {
      ctx.body = await d.orch.defaults.set(principal(ctx), (ctx.request as unknown as { body?: unknown }).body);
    },
  );
}
