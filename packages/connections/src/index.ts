export {
  type ConnectionKey,
  nextRefreshAt,
  openCredential,
  sealedApiKeyColumns,
  sealedTokenColumns,
  WIPED_CREDENTIALS,
} from './credentials.ts';
export { createPlatformClients, type PlatformClients } from './platform-clients.ts';
