// The messages between the launcher and its embedded-Postgres helper process.

export interface EmbeddedPostgresRequest {
  dataDir: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

export type EmbeddedPostgresReply =
  | { type: 'ready'; initialised: boolean; createdDatabase: boolean }
  | { type: 'failed'; message: string };
