// Organizations, members and invitations at Daytona's paths
// (/api/organizations…). Routes that name an organization act in it: the
// caller must be a member (else 404), and their role there is what counts.
import { z } from 'zod';
import type { Invitation, Member, Organization } from '../../orchestrator/index.js';
import { requireAuth } from '../auth.js';
import { principal, type ApiRouter, type Ctx, type HttpDeps } from '../context.js';
import { body, queryBool, queryString } from '../parse.js';

export const organizationDto = (o: Organization) => ({ id: o.id, name: o.name, personal: o.personal, role: o.role, createdAt: o.createdAt.toISOString(), updatedAt: o.updatedAt.toISOString() });
export const memberDto = (m: Member) => ({ userId: m.userId, organizationId: m.organizationId, email: m.email, name: m.name, role: m.role, createdAt: m.createdAt.toISOString() });
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

const Invite = z.object({ email: z.string().min(3).max(320), role: z.enum(['owner', 'admin', 'member']).optional(), expiresAt: z.string().datetime({ offset: true }).optional(), assignedRoleIds: z.array(z.string()).optional() }).strict();
const Role = z.object({ role: z.enum(['owner', 'admin', 'member']), assignedRoleIds: z.array(z.string()).optional() }).strict();
const Accept = z.object({ token: z.string().min(1).max(200).optional(), name: z.string().min(1).max(200).optional() }).strict();

export function registerOrganizations(router: ApiRouter, d: HttpDeps): void {
  const auth = requireAuth(d);
  /** Acts in the organization the path names. */
  const inPath = requireAuth(d, { organization: (ctx: Ctx) => ctx.params.id });

  router.get('/organizations', auth, async (ctx) => {
    ctx.body = (await d.orch.orgs.list(principal(ctx), { all: queryBool(ctx, 'all') ?? false })).map(organizationDto);
  });
  router.post('/organizations', auth, async (ctx) => {
    // Daytona clients also send defaultRegionId: one region here, so it is accepted and ignored.
    const { name } = body(ctx, z.object({ name: z.string(), defaultRegionId: z.string().optional() }).strict());
    ctx.status = 201;
    ctx.body = organizationDto(await d.orch.orgs.create(principal(ctx), name));
  });

  // Invitations addressed to the caller (any organization).
  router.get('/organizations/invitations', auth, async (ctx) => {
    ctx.body = (await d.orch.invitations.mine(principal(ctx))).map(invitationDto);
  });
  router.post('/organizations/invitations/:invitationId/accept', auth, async (ctx) => {
    ctx.body = invitationDto(await d.orch.invitations.accept(principal(ctx), ctx.params.invitationId!));
  });
  router.post('/organizations/invitations/:invitationId/decline', auth, async (ctx) => {
    ctx.body = invitationDto(await d.orch.invitations.decline(principal(ctx), ctx.params.invitationId!));
  });
  // The invitee has no key yet: the one-time token is the credential.
  router.post('/invitations/accept', async (ctx) => {
    const b = body(ctx, Accept);
    const token = b.token ?? queryString(ctx, 'token', true);
    const r = await d.orch.invitations.acceptWithToken(token, b.name);
    ctx.body = { organizationId: r.invitation.organizationId, userId: r.userId, role: r.invitation.role, apiKey: r.apiKey };
  });

  router.get('/organizations/:id', inPath, async (ctx) => {
    ctx.body = organizationDto(await d.orch.orgs.get(principal(ctx)));
  });
  router.delete('/organizations/:id', inPath, async (ctx) => {
    await d.orch.orgs.remove(principal(ctx));
    ctx.status = 204;
  });
  router.get('/organizations/:id/users', inPath, async (ctx) => {
    ctx.body = (await d.orch.orgs.members(principal(ctx))).map(memberDto);
  });
  router.post('/organizations/:id/users/:userId/access', inPath, async (ctx) => {
    ctx.body = memberDto(await d.orch.orgs.setRole(principal(ctx), ctx.params.userId!, body(ctx, Role).role));
  });
  router.delete('/organizations/:id/users/:userId', inPath, async (ctx) => {
    await d.orch.orgs.removeMember(principal(ctx), ctx.params.userId!);
    ctx.status = 204;
  });
  router.post('/organizations/:id/leave', inPath, async (ctx) => {
    await d.orch.orgs.removeMember(principal(ctx), principal(ctx).userId);
    ctx.status = 204;
  });
  router.get('/organizations/:id/invitations', inPath, async (ctx) => {
    ctx.body = (await d.orch.invitations.list(principal(ctx))).map(invitationDto);
  });
  router.post('/organizations/:id/invitations', inPath, async (ctx) => {
    const b = body(ctx, Invite);
    ctx.status = 201;
    ctx.body = invitationDto(await d.orch.invitations.invite(principal(ctx), { email: b.email, role: b.role, expiresAt: b.expiresAt ? new Date(b.expiresAt) : undefined }));
  });
  router.post('/organizations/:id/invitations/:invitationId/cancel', inPath, async (ctx) => {
    ctx.body = invitationDto(await d.orch.invitations.cancel(principal(ctx), ctx.params.invitationId!));
  });
  router.get('/organizations/:id/defaults', inPath, async (ctx) => {
    ctx.body = await d.orch.defaults.get(principal(ctx).organizationId);
  });
  router.put('/organizations/:id/defaults', inPath, async (ctx) => {
    ctx.body = await d.orch.defaults.set(principal(ctx), (ctx.request as unknown as { body?: unknown }).body);
  });
}
