export { generateToken, hashToken, safeEqual, weakTokenReason } from './hash-token.ts';
export { createKeyring, KEY_ID_PATTERN, type Keyring, type KeyringEntry } from './keyring.ts';
export {
  createStateNonce,
  type OAuthStateError,
  type OAuthStateErrorCode,
  type OAuthStatePayload,
  signOAuthState,
  verifyOAuthState,
} from './oauth-state.ts';
export { createPkcePair, type PkcePair, pkceChallengeFor } from './pkce.ts';
export { keyIdOf, openSecret, resealSecret, type SealContext, sealSecret } from './seal.ts';
