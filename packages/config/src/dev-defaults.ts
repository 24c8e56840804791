// Development defaults for secrets. They make the quick start work with no editing, and they are public,
// so a production process refuses to start while any of them is in use.

/** `dev:` + 32 bytes, base64: a key anybody can read in this repository. */
export const DEV_ENCRYPTION_KEYS = 'dev:ZGV2LWtleS1kby1ub3QtdXNlLWluLXByb2R1Y3Rpb24=';
export const DEV_OAUTH_STATE_SECRET = 'dev-oauth-state-secret-do-not-use-in-production';
/** The Bull Board password of `./adsync start`'s operator; long and varied enough for weakTokenReason. */
export const DEV_OPERATOR_TOKEN = 'adsync-dev-operator-token-do-not-use-in-production';
/** The local brand's API key that `./adsync start` creates. */
export const DEV_TENANT_API_KEY = 'adsync_dev-tenant-key-do-not-use-in-production';
