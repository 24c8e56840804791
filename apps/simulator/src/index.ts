export { type ConsentChoice, completeConsent } from './consent-client.ts';
export type { PlatformId, SimulatedPlatform, SimulatorContext } from './core/platform.ts';
export type { RecordedEvent } from './core/recorder.ts';
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
