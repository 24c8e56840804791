// Sign-in and connecting bound to the browser and to the credential behind them (security review, issue 19):
// - an OAuth state remembers the hash of the browser cookie that started it, and the callback must bring it;
// - connect links: single-use links a tenant's backend (or admin) mints for a brand admin's browser, the
//   only way an API-key client starts a connect flow;
// - every session, login link and connect link records the API key behind it (the one that signed in or
//   minted the link, or that opened the session that did), so revoking a key ends all of them; and the
//   session that minted a link, so ending a session ends the sessions its links opened.
// Sessions and login links that exist before this migration record no key: they are ended here (sessions
// last 12 hours, links 10 minutes), so none survives a key revocation unnoticed.
// Frozen: change the schema in a new migration.

import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE oauth_states ADD COLUMN browser_binding_hash text`.execute(db);

  await sql`
    ALTER TABLE admin_sessions
      ADD COLUMN api_key_id uuid REFERENCES tenant_api_keys (id) ON DELETE CASCADE,
      ADD COLUMN parent_session_id uuid REFERENCES admin_sessions (id) ON DELETE SET NULL,
      ADD COLUMN opened_via text CHECK (opened_via IN ('sign_in', 'login_link')),
      ADD COLUMN user_agent text CHECK (length(user_agent) <= 300),
      ADD COLUMN client_ip text CHECK (length(client_ip) <= 64)`.execute(db);
  await sql`UPDATE admin_sessions SET revoked_at = now() WHERE revoked_at IS NULL`.execute(db);
  await sql`CREATE INDEX admin_sessions_api_key_idx ON admin_sessions (api_key_id) WHERE revoked_at IS NULL`.execute(
    db,
  );
  await sql`CREATE INDEX admin_sessions_parent_idx ON admin_sessions (parent_session_id)`.execute(db);

  await sql`
    ALTER TABLE admin_login_links
      ADD COLUMN api_key_id uuid REFERENCES tenant_api_keys (id) ON DELETE CASCADE,
      ADD COLUMN session_id uuid REFERENCES admin_sessions (id) ON DELETE SET NULL,
      ADD COLUMN next_path text`.execute(db);
  await sql`UPDATE admin_login_links SET consumed_at = now() WHERE consumed_at IS NULL`.execute(db);

  await sql`
    CREATE TABLE connect_links (
      token_hash text PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
      provider text NOT NULL CHECK (provider IN ('meta', 'google', 'tiktok', 'klaviyo')),
      return_url text,
      api_key_id uuid REFERENCES tenant_api_keys (id) ON DELETE CASCADE,
      session_id uuid REFERENCES admin_sessions (id) ON DELETE SET NULL,
      expires_at timestamptz NOT NULL,
      consumed_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX connect_links_tenant_idx ON connect_links (tenant_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS connect_links`.execute(db);
  await sql`
    ALTER TABLE admin_login_links
      DROP COLUMN IF EXISTS api_key_id, DROP COLUMN IF EXISTS session_id, DROP COLUMN IF EXISTS next_path`.execute(db);
  await sql`
    ALTER TABLE admin_sessions
      DROP COLUMN IF EXISTS api_key_id, DROP COLUMN IF EXISTS parent_session_id, DROP COLUMN IF EXISTS opened_via,
      DROP COLUMN IF EXISTS user_agent, DROP COLUMN IF EXISTS client_ip`.execute(db);
  await sql`ALTER TABLE oauth_states DROP COLUMN IF EXISTS browser_binding_hash`.execute(db);
}
