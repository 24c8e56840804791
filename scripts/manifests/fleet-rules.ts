// Rules that tie the deploy files to the code, so neither can drift from the other: the image's app list
// against apps/, each Deployment's ports, probes and grace period against the apps' configuration, each
// worker's autoscaling trigger against the queues it consumes, the ConfigMap and Secret against
// .env.example, and the security settings every pod must keep.

import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { IService } from 'kubernetes-models/v1/Service';
import { ConfigError, gatewayConfigSchema, parseEnv, workerConfigSchema } from '../../packages/config/src/index.ts';
import { QUEUE_NAMES } from '../../packages/queues/src/index.ts';

/** Apps under apps/ that are never deployed, and why. */
export const NOT_DEPLOYED: Record<string, string> = {
  simulator: 'the local stand-in for the platforms; production refuses PROVIDERS_TARGET=simulator',
};

/** Variables that must come from the Secret, never the ConfigMap. */
const SECRET_NAME = /^(DATABASE_URL|REDIS_URL|ENCRYPTION_KEYS|OAUTH_STATE_SECRET)$|_(SECRET|TOKEN|PASSWORD)$/;
const REQUIRED_SECRETS = ['DATABASE_URL', 'REDIS_URL', 'ENCRYPTION_KEYS', 'OAUTH_STATE_SECRET'];
/** Seconds of slack between the app's own shutdown deadline and the kubelet's SIGKILL. */
const GRACE_MARGIN_SECONDS = 5;

export interface FleetObject {
  file: string;
  /** Index of the document in its file. */
  index: number;
  object: { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown } } & Record<string, unknown>;
}

export interface FleetProblem {
  file: string;
  index?: number;
  /** Where in the document, as keys and indexes, when known. */
  path?: readonly (string | number)[];
  message: string;
}

export interface FleetInput {
  root: string;
  objects: readonly FleetObject[];
  /** Variables of the configMapGenerator and secretGenerator env files, by generator name. */
  configEnv: { name: string; file: string; values: Map<string, string> };
  secretEnv: { name: string; file: string; values: Map<string, string> };
  imageNames: readonly string[];
}

/** `KEY=value` lines, as kustomize reads an env file (comments and blank lines skipped). */
export function parseEnvFile(text: string): { values: Map<string, string>; duplicates: string[] } {
  const values = new Map<string, string>();
  const duplicates: string[] = [];
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const separator = trimmed.indexOf('=');
    const key = separator === -1 ? trimmed : trimmed.slice(0, separator);
    if (values.has(key)) duplicates.push(key);
    values.set(key, separator === -1 ? '' : trimmed.slice(separator + 1));
  }
  return { values, duplicates };
}

/** The deployable apps: every folder of apps/ with a build script, less NOT_DEPLOYED. */
export function deployableApps(root: string): string[] {
  return readdirSync(join(root, 'apps'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(root, 'apps', entry.name, 'package.json')))
    .filter((entry) => {
      const manifest = JSON.parse(readFileSync(join(root, 'apps', entry.name, 'package.json'), 'utf8')) as {
        scripts?: Record<string, string>;
      };
      return manifest.scripts?.build !== undefined;
    })
    .map((entry) => entry.name)
    .filter((name) => !(name in NOT_DEPLOYED))
    .sort();
}

/** `defaultHealthPort` and `queues` from a worker's main.ts (it cannot be imported: importing runs it). */
function workerDefinition(root: string, app: string): { port: number; queues: string[] } | undefined {
  const file = join(root, 'apps', app, 'src', 'main.ts');
  if (!/^worker-[a-z-]+$/.test(app) || !existsSync(file)) return undefined;
  const source = readFileSync(file, 'utf8');
  const port = /defaultHealthPort:\s*(\d+)/.exec(source)?.[1];
  const queues = /queues:\s*\[([^\]]*)\]/.exec(source)?.[1];
  if (port === undefined || queues === undefined) return undefined;
  return { port: Number(port), queues: [...queues.matchAll(/'([^']+)'/g)].map((match) => match[1] ?? '').sort() };
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const sortedB = [...b].sort();
  return a.length === b.length && [...a].sort().every((value, index) => value === sortedB[index]);
}

function list(values: readonly string[]): string {
  return values.length === 0 ? '(none)' : values.join(', ');
}

function checkImage(input: FleetInput, problems: FleetProblem[]): void {
  const root = input.root;
  const apps = deployableApps(root);
  const dockerfile = readFileSync(join(root, 'infra/docker/Dockerfile'), 'utf8');
  const declared = /^ARG ADSYNC_APPS="([^"]*)"$/m.exec(dockerfile)?.[1]?.split(/\s+/).filter(Boolean);
  if (declared === undefined) {
    problems.push({ file: 'infra/docker/Dockerfile', message: 'no ARG ADSYNC_APPS="..." line with the apps' });
  } else if (!sameSet(declared, apps)) {
    problems.push({
      file: 'infra/docker/Dockerfile',
      message: `ADSYNC_APPS lists ${list(declared)}, but the deployable apps under apps/ are ${list(apps)} (apps never deployed: ${Object.keys(NOT_DEPLOYED).join(', ')})`,
    });
  }
  const entrypoint = readFileSync(join(root, 'infra/docker/entrypoint.sh'), 'utf8');
  const fallback = /^ADSYNC_APPS="\$\{ADSYNC_APPS:-([^}]*)\}"$/m.exec(entrypoint)?.[1]?.split(/\s+/).filter(Boolean);
  if (fallback === undefined || !sameSet(fallback, apps)) {
    problems.push({
      file: 'infra/docker/entrypoint.sh',
      message: `its default ADSYNC_APPS (${list(fallback ?? [])}) must list the deployable apps: ${list(apps)}`,
    });
  }
  for (const match of entrypoint.matchAll(/exec node (\S+\.(?:ts|js))/g)) {
    const path = match[1] ?? '';
    if (!path.includes('$') && !existsSync(join(root, path))) {
      problems.push({ file: 'infra/docker/entrypoint.sh', message: `runs ${path}, which does not exist` });
    }
  }
  for (const app of apps) {
    const expected =
      app === 'gateway' ? parseEnv(gatewayConfigSchema, {}).GATEWAY_PORT : workerDefinition(root, app)?.port;
    const variable = app === 'gateway' ? 'GATEWAY_PORT' : 'WORKER_HEALTH_PORT';
    if (!entrypoint.includes(`${app}) echo "\${${variable}:-${expected}}"`)) {
      problems.push({
        file: 'infra/docker/entrypoint.sh',
        message: `health_port must answer \${${variable}:-${expected}} for ${app}, the app's own default`,
      });
    }
  }
}

function containersOf(spec: IPodSpec): { container: IContainer; path: (string | number)[] }[] {
  return [
    ...(spec.initContainers ?? []).map((container, index) => ({
      container,
      path: ['spec', 'template', 'spec', 'initContainers', index],
    })),
    ...spec.containers.map((container, index) => ({
      container,
      path: ['spec', 'template', 'spec', 'containers', index],
    })),
  ];
}

function checkPod(input: FleetInput, object: FleetObject, spec: IPodSpec, problems: FleetProblem[]): void {
  const at = (path: (string | number)[], message: string) =>
    problems.push({ file: object.file, index: object.index, path, message });
  if (spec.securityContext?.runAsNonRoot !== true) {
    at(['spec', 'template', 'spec'], 'the pod must set securityContext.runAsNonRoot: true');
  }
  if (spec.automountServiceAccountToken !== false) {
    at(['spec', 'template', 'spec'], 'set automountServiceAccountToken: false (adsync never calls the Kubernetes API)');
  }
  for (const { container, path } of containersOf(spec)) {
    const security = container.securityContext;
    if (security?.allowPrivilegeEscalation !== false || security.readOnlyRootFilesystem !== true) {
      at(path, `container ${container.name}: set allowPrivilegeEscalation: false and readOnlyRootFilesystem: true`);
    }
    if (!(security?.capabilities?.drop ?? []).includes('ALL')) {
      at(path, `container ${container.name}: drop ALL capabilities`);
    }
    const resources = container.resources;
    if (resources?.requests?.cpu === undefined || resources.requests.memory === undefined) {
      at(path, `container ${container.name}: set resources.requests.cpu and .memory (the autoscalers need them)`);
    }
    if (resources?.limits?.memory === undefined) at(path, `container ${container.name}: set resources.limits.memory`);
    if (container.image !== undefined && !input.imageNames.includes(container.image.split(':')[0] ?? '')) {
      at(path, `container ${container.name}: image "${container.image}" is not one of kustomization images`);
    }
    for (const source of container.envFrom ?? []) {
      const name = source.configMapRef?.name ?? source.secretRef?.name;
      if (name !== undefined && ![input.configEnv.name, input.secretEnv.name].includes(name)) {
        at(path, `container ${container.name}: envFrom ${name}, which kustomization.yaml does not generate`);
      }
    }
  }
}

function placeholderSecrets(): Record<string, string> {
  return {
    DATABASE_URL: 'postgres://check@postgres.invalid:5432/adsync',
    REDIS_URL: 'redis://redis.invalid:6379',
    ENCRYPTION_KEYS: `check:${randomBytes(32).toString('base64')}`,
    OAUTH_STATE_SECRET: randomBytes(24).toString('base64'),
  };
}

interface EffectiveConfig {
  port: number;
  host: string;
  /** Where Prometheus scrapes /metrics: the gateway's own metrics listener, a worker's health port. */
  metricsPort: number;
  metricsHost: string;
  shutdownMs: number;
}

/** The app's configuration as its container would read it: config.env, placeholder secrets, container env. */
function effectiveConfig(
  input: FleetInput,
  app: string,
  container: IContainer,
  defaultHealthPort: number,
): EffectiveConfig | string {
  const env: Record<string, string> = { ...Object.fromEntries(input.configEnv.values), ...placeholderSecrets() };
  for (const variable of container.env ?? []) {
    if (variable.value !== undefined) env[variable.name] = variable.value;
  }
  try {
    if (app === 'gateway') {
      const config = parseEnv(gatewayConfigSchema, env);
      return {
        port: config.GATEWAY_PORT,
        host: config.GATEWAY_HOST,
        metricsPort: config.GATEWAY_METRICS_PORT,
        metricsHost: config.GATEWAY_METRICS_HOST,
        shutdownMs: config.SHUTDOWN_TIMEOUT_MS,
      };
    }
    const config = parseEnv(workerConfigSchema(defaultHealthPort), env);
    return {
      port: config.WORKER_HEALTH_PORT,
      host: config.WORKER_HEALTH_HOST,
      metricsPort: config.WORKER_HEALTH_PORT,
      metricsHost: config.WORKER_HEALTH_HOST,
      shutdownMs: config.SHUTDOWN_TIMEOUT_MS,
    };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return `${app} would refuse this configuration: ${error.problems.join('; ')}`;
  }
}

function checkDeployment(
  input: FleetInput,
  object: FleetObject,
  deployment: IDeployment,
  problems: FleetProblem[],
): string | undefined {
  const at = (path: (string | number)[], message: string) =>
    problems.push({ file: object.file, index: object.index, path, message });
  const name = deployment.metadata?.name ?? '';
  const spec = deployment.spec?.template.spec;
  if (spec === undefined) return undefined;
  checkPod(input, object, spec, problems);
  const main = spec.containers.find((container) => container.env?.some((variable) => variable.name === 'APP'));
  const appIndex = main === undefined ? -1 : spec.containers.indexOf(main);
  const app = main?.env?.find((variable) => variable.name === 'APP')?.value;
  if (main === undefined || app === undefined) {
    at(['spec', 'template', 'spec', 'containers'], 'one container must set env APP to the app it runs');
    return undefined;
  }
  const containerPath = ['spec', 'template', 'spec', 'containers', appIndex];
  if (app !== name) at([...containerPath, 'env'], `APP is "${app}" but the Deployment is named "${name}"`);
  const worker = app === 'gateway' ? undefined : workerDefinition(input.root, app);
  if (app !== 'gateway' && worker === undefined) {
    at([...containerPath, 'env'], `APP "${app}" has no apps/${app}/src/main.ts with defaultHealthPort and queues`);
    return app;
  }
  const effective = effectiveConfig(input, app, main, worker?.port ?? 0);
  if (typeof effective === 'string') {
    at(containerPath, effective);
    return app;
  }
  if (['127.0.0.1', 'localhost', '::1'].includes(effective.host)) {
    at(containerPath, `${app} would listen on ${effective.host} only: probes and Services could not reach it`);
  }
  if (effective.metricsPort !== effective.port && ['127.0.0.1', 'localhost', '::1'].includes(effective.metricsHost)) {
    at(containerPath, `${app} would serve /metrics on ${effective.metricsHost} only: Prometheus could not scrape it`);
  }
  const port = (main.ports ?? []).find((candidate) => candidate.containerPort === effective.port);
  if (port === undefined) {
    at([...containerPath, 'ports'], `${app} listens on ${effective.port}; declare that containerPort`);
  }
  if (!(main.ports ?? []).some((candidate) => candidate.containerPort === effective.metricsPort)) {
    at([...containerPath, 'ports'], `${app} serves /metrics on ${effective.metricsPort}; declare that containerPort`);
  }
  for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe'] as const) {
    const target = main[probe]?.httpGet?.port;
    if (main[probe] === undefined) {
      if (probe !== 'startupProbe') at(containerPath, `${app}: add a ${probe}`);
      continue;
    }
    if (target !== effective.port && (port?.name === undefined || target !== port.name)) {
      at([...containerPath, probe], `${probe} targets port ${String(target)}, but ${app} answers on ${effective.port}`);
    }
  }
  const scrapePort = deployment.spec?.template.metadata?.annotations?.['prometheus.io/port'];
  if (scrapePort !== String(effective.metricsPort)) {
    at(['spec', 'template', 'metadata', 'annotations'], `prometheus.io/port must be "${effective.metricsPort}"`);
  }
  if (effective.metricsPort !== effective.port) checkMetricsStayInternal(input, app, main, effective, problems);
  const preStop = main.lifecycle?.preStop?.sleep?.seconds ?? 0;
  const needed = Math.ceil(effective.shutdownMs / 1000) + preStop + GRACE_MARGIN_SECONDS;
  const grace = spec.terminationGracePeriodSeconds ?? 30;
  if (grace < needed) {
    at(
      ['spec', 'template', 'spec'],
      `terminationGracePeriodSeconds is ${grace}; ${app} may take SHUTDOWN_TIMEOUT_MS (${effective.shutdownMs} ms)` +
        `${preStop > 0 ? ` after a ${preStop} s preStop` : ''}, so give it at least ${needed}`,
    );
  }
  return app;
}

/**
 * An app whose /metrics has a port of its own (the gateway) keeps it off every Service: Services are what
 * ingresses and load balancers route to, and the public port is the only one they may reach.
 */
function checkMetricsStayInternal(
  input: FleetInput,
  app: string,
  container: IContainer,
  effective: EffectiveConfig,
  problems: FleetProblem[],
): void {
  const metricsPortNames = (container.ports ?? [])
    .filter((candidate) => candidate.containerPort === effective.metricsPort && candidate.name !== undefined)
    .map((candidate) => candidate.name);
  for (const object of input.objects) {
    if (object.object.kind !== 'Service') continue;
    const service = object.object as unknown as IService;
    if (service.spec?.selector?.['app.kubernetes.io/component'] !== app) continue;
    (service.spec.ports ?? []).forEach((servicePort, index) => {
      const target = servicePort.targetPort ?? servicePort.port;
      if (target === effective.metricsPort || metricsPortNames.includes(String(target))) {
        problems.push({
          file: object.file,
          index: object.index,
          path: ['spec', 'ports', index],
          message: `exposes ${app}'s metrics port (${effective.metricsPort}); only Prometheus, on the pod, may reach it`,
        });
      }
    });
  }
}

function checkScaling(
  input: FleetInput,
  deployments: Map<string, { object: FleetObject; deployment: IDeployment }>,
  problems: FleetProblem[],
) {
  const scaledBy = new Map<string, FleetObject>();
  const queuesScaled: string[] = [];
  for (const object of input.objects) {
    if (object.object.kind === 'HorizontalPodAutoscaler') {
      const hpa = object.object as unknown as IHorizontalPodAutoscaler;
      scaledBy.set(hpa.spec?.scaleTargetRef.name ?? '', object);
    }
    if (object.object.kind !== 'ScaledObject') continue;
    const scaled = object.object as unknown as IScaledObject;
    const target = scaled.spec?.scaleTargetRef.name ?? '';
    scaledBy.set(target, object);
    const worker = workerDefinition(input.root, target);
    if (!deployments.has(target) || worker === undefined) {
      problems.push({ ...object, path: ['spec', 'scaleTargetRef'], message: `scales "${target}", not a worker here` });
      continue;
    }
    const triggers = scaled.spec?.triggers ?? [];
    triggers.forEach((trigger, index) => {
      if (trigger.type !== 'prometheus') return;
      const query = trigger.metadata.query ?? '';
      const queues = /queue=~"([^"]*)"/.exec(query)?.[1]?.split('|') ?? [];
      queuesScaled.push(...queues);
      if (!sameSet(queues, worker.queues)) {
        problems.push({
          ...object,
          path: ['spec', 'triggers', index, 'metadata', 'query'],
          message: `${target} consumes ${list(worker.queues)} (apps/${target}/src/main.ts) but the query counts ${list(queues)}`,
        });
      }
      if (!/max by \(queue, state\)/.test(query)) {
        problems.push({
          ...object,
          path: ['spec', 'triggers', index, 'metadata', 'query'],
          message: 'every pod exports the same queue depth: take max by (queue, state) before summing',
        });
      }
    });
    if (!triggers.some((trigger) => trigger.type === 'prometheus')) {
      problems.push({
        ...object,
        path: ['spec', 'triggers'],
        message: 'needs a prometheus trigger on adsync_queue_jobs',
      });
    }
  }
  for (const [name, { object, deployment }] of deployments) {
    if (!scaledBy.has(name)) {
      problems.push({
        ...object,
        path: ['metadata'],
        message: `nothing autoscales ${name}: add an HPA or a ScaledObject`,
      });
    } else if (deployment.spec?.replicas !== undefined) {
      problems.push({
        ...object,
        path: ['spec', 'replicas'],
        message: `${name} is autoscaled: leave replicas out, or every apply resets the autoscaler's count`,
      });
    }
  }
  const unscaled = QUEUE_NAMES.filter((queue) => !queuesScaled.includes(queue));
  if (unscaled.length > 0) {
    problems.push({
      file: 'infra/k8s/kustomization.yaml',
      message: `no worker scales on the queues ${list(unscaled)} of packages/queues/src/catalog.ts`,
    });
  }
}

function checkEnvFiles(input: FleetInput, problems: FleetProblem[]): void {
  const example = readFileSync(join(input.root, '.env.example'), 'utf8');
  const documented = new Set([...example.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1]));
  for (const { file, values } of [input.configEnv, input.secretEnv]) {
    for (const key of values.keys()) {
      if (!documented.has(key))
        problems.push({ file, message: `${key} is not a variable adsync reads (.env.example)` });
    }
  }
  for (const key of input.configEnv.values.keys()) {
    if (SECRET_NAME.test(key))
      problems.push({ file: input.configEnv.file, message: `${key} is a secret: move it to the Secret` });
    if (input.secretEnv.values.has(key))
      problems.push({ file: input.configEnv.file, message: `${key} is also in the Secret` });
  }
  for (const key of REQUIRED_SECRETS) {
    if (!input.secretEnv.values.has(key)) problems.push({ file: input.secretEnv.file, message: `${key} is missing` });
  }
  if (input.secretEnv.file.endsWith('.example')) {
    for (const [key, value] of input.secretEnv.values) {
      if (value !== '')
        problems.push({ file: input.secretEnv.file, message: `${key} has a value: the example lists names only` });
    }
  }
}

/** Every rule; problems name the file (and document and path when they can). */
export function checkFleet(input: FleetInput): FleetProblem[] {
  const problems: FleetProblem[] = [];
  checkImage(input, problems);
  checkEnvFiles(input, problems);
  const deployments = new Map<string, { object: FleetObject; deployment: IDeployment }>();
  const apps: string[] = [];
  for (const object of input.objects) {
    if (object.object.kind !== 'Deployment') continue;
    const deployment = object.object as unknown as IDeployment;
    deployments.set(deployment.metadata?.name ?? '', { object, deployment });
    const app = checkDeployment(input, object, deployment, problems);
    if (app !== undefined) apps.push(app);
  }
  const expected = deployableApps(input.root);
  if (!sameSet(apps, expected)) {
    problems.push({
      file: 'infra/k8s/kustomization.yaml',
      message: `the Deployments run ${list(apps.sort())}; the deployable apps are ${list(expected)}`,
    });
  }
  checkScaling(input, deployments, problems);
  return problems;
}
