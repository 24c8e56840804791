// The person behind a token and the ad accounts they shared: `/me`, `/me/adaccounts` (providers.md §1.3)
// and the ad account node itself.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { META_ACCOUNTS, META_USER, type SimulatedAccount } from '../seed/accounts.ts';
import { META_SUBCODES, parameterError } from './meta.errors.ts';
import { graphParams, graphRoute, paginate } from './meta.graph.ts';
import type { MetaGuard } from './meta.guard.ts';
import type { MetaState, MetaToken } from './meta.state.ts';

const ACCOUNT_FIELDS: Record<string, (account: SimulatedAccount) => unknown> = {
  id: (account) => account.id,
  account_id: (account) => account.id.slice('act_'.length),
  name: (account) => account.name,
  currency: (account) => account.currency,
  timezone_name: (account) => account.timezone,
  timezone_offset_hours_utc: (account) => offsetHours(account.timezone),
  account_status: () => 1,
  disable_reason: () => 0,
};

/** The zone's current offset from UTC in hours (e.g. -8, 13), as the account node reports it. */
function offsetHours(timeZone: string): number {
  const name = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
    .formatToParts(Date.now())
    .find((part) => part.type === 'timeZoneName')?.value;
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(name ?? '');
  if (match === null) return 0;
  const hours = Number(match[2]) + Number(match[3]) / 60;
  return match[1] === '-' ? -hours : hours;
}

function requestedFields(request: FastifyRequest, defaults: readonly string[]): string[] {
  const value = graphParams(request).fields;
  if (typeof value !== 'string' || value.trim() === '') return [...defaults];
  return value
    .split(',')
    .map((field) => field.trim())
    .filter(Boolean);
}

export function accountFields(account: SimulatedAccount, fields: readonly string[]): Record<string, unknown> {
  const node: Record<string, unknown> = {};
  for (const field of fields) {
    const read = ACCOUNT_FIELDS[field];
    if (read === undefined)
      throw parameterError(`Tried accessing nonexisting field (${field}) on node type (AdAccount)`);
    node[field] = read(account);
  }
  // Graph always includes the id of a node it returns.
  node.id = account.id;
  return node;
}

export function metaAccountRoutes(state: MetaState, guard: MetaGuard) {
  const sharedAccounts = (token: MetaToken) =>
    META_ACCOUNTS.filter((account) => token.grant.accountIds.includes(account.id));

  return async (app: FastifyInstance) => {
    graphRoute(app, 'GET', '/me', async (request) => {
      guard.user(request);
      const fields = requestedFields(request, ['id', 'name']);
      const person: Record<string, unknown> = { id: META_USER.id };
      if (fields.includes('name')) person.name = META_USER.name;
      return person;
    });

    graphRoute(app, 'GET', '/me/adaccounts', async (request) => {
      const token = guard.user(request);
      const fields = requestedFields(request, ['account_id', 'id']);
      const nodes = sharedAccounts(token).map((account) => accountFields(account, fields));
      return paginate(request, nodes, 25, 100);
    });

    // Removing the app's permissions ends the grant: every token it issued stops working (190/458).
    graphRoute(app, 'DELETE', '/me/permissions', async (request) => {
      const token = guard.user(request);
      state.revoke(token.token, META_SUBCODES.appNotInstalled);
      return { success: true };
    });
  };
}
