export { type ConsentChoice, completeConsent } from './consent-client.ts';
export { controlSimulator } from './control/control-client.ts';
export type { PlatformId, SimulatedPlatform, SimulatorContext } from './core/platform.ts';
export type { RecordedEvent } from './core/recorder.ts';
export {
  GOOGLE_CLIENT_ACCOUNTS,
  GOOGLE_DIRECT_ACCOUNTS,
  GOOGLE_MANAGER,
  KLAVIYO_ACCOUNT,
  META_ACCOUNTS,
  META_PIXELS,
  type SimulatedAccount,
  TIKTOK_ADVERTISERS,
} from './seed/accounts.ts';
export { KLAVIYO_PRIVATE_KEYS } from './seed/apps.ts';
export {
  buildSimulator,
  type RunningSimulator,
  type Simulator,
  type SimulatorSettings,
  startSimulator,
} from './simulator.ts';
export { type SimulatorOptionsInput, simulatorOptionsSchema } from './simulator-options.ts';
export { REGIONS, type Region, regionByCode } from './spend/regions.ts';
export {
  currencyExponent,
  datesBetween,
  localDateHour,
  localHoursOf,
  minorToDecimal,
  minorToMicros,
  spendCell,
} from './spend/spend-model.ts';
export type { SpendTruthCell } from './spend/spend-truth.ts';
