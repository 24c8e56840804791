// `pnpm check:manifests`: validates the deploy files offline. Every file infra/k8s/kustomization.yaml lists
// (and every YAML file beside it must be listed) is parsed, each object is checked against the Kubernetes or
// KEDA schema with unknown fields refused (scripts/manifests/strict-validate.ts), and the fleet rules tie
// the manifests and the Dockerfile to the code (scripts/manifests/fleet-rules.ts). Exit 1 on any problem.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Document, isMap, isScalar, isSeq, LineCounter, parseAllDocuments, parseDocument } from 'yaml';
import { checkFleet, type FleetObject, type FleetProblem, parseEnvFile } from './manifests/fleet-rules.ts';
import { validateStrictly } from './manifests/strict-validate.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const k8sDir = 'infra/k8s';
const kustomizationFile = `${k8sDir}/kustomization.yaml`;

interface Problem {
  file: string;
  line?: number;
  object?: string;
  message: string;
}

const problems: Problem[] = [];

interface LoadedFile {
  documents: Document[];
  lines: LineCounter;
}
const loaded = new Map<string, LoadedFile>();

/** The line of `path` in the document (1-based): its key's line, or that of the nearest ancestor that exists. */
function lineOf(file: string, index: number | undefined, path: readonly (string | number)[] = []): number | undefined {
  const source = loaded.get(file);
  const document = index === undefined ? undefined : source?.documents[index];
  if (source === undefined || document === undefined) return undefined;
  for (let depth = path.length; depth >= 0; depth -= 1) {
    const parent = depth <= 1 ? document.contents : document.getIn(path.slice(0, depth - 1), true);
    const last = path[depth - 1];
    let node: unknown = depth === 0 ? document.contents : undefined;
    if (depth > 0 && isMap(parent)) {
      node = parent.items.find((pair) => isScalar(pair.key) && pair.key.value === last)?.key;
    } else if (depth > 0 && isSeq(parent) && typeof last === 'number') {
      node = parent.items[last];
    }
    const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
    if (range !== undefined) return source.lines.linePos(range[0]).line;
  }
  return undefined;
}

function pointerToPath(pointer: string): (string | number)[] {
  return pointer
    .split('/')
    .slice(1)
    .filter((segment) => segment !== '')
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment));
}

function readYamlFile(file: string): LoadedFile | undefined {
  const lines = new LineCounter();
  const documents = parseAllDocuments(readFileSync(join(root, file), 'utf8'), { lineCounter: lines });
  if (!Array.isArray(documents)) {
    problems.push({ file, message: 'is not YAML documents' });
    return undefined;
  }
  const result = { documents, lines };
  loaded.set(file, result);
  for (const document of documents) {
    for (const error of [...document.errors, ...document.warnings]) {
      const line = error.linePos?.[0]?.line;
      const message = (error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
      problems.push({ file, ...(line === undefined ? {} : { line }), message });
    }
  }
  return result;
}

// --- kustomization.yaml ----------------------------------------------------------------------------

const KUSTOMIZATION_FIELDS: Record<string, string[] | null> = {
  apiVersion: null,
  kind: null,
  namespace: null,
  labels: ['pairs', 'includeSelectors', 'includeTemplates'],
  resources: null,
  configMapGenerator: ['name', 'envs'],
  secretGenerator: ['name', 'envs'],
  images: ['name', 'newName', 'newTag', 'digest'],
};

interface Generator {
  name: string;
  envs: string[];
}

interface Kustomization {
  resources: string[];
  configMapGenerator: Generator[];
  secretGenerator: Generator[];
  images: { name: string }[];
}

function readKustomization(): Kustomization | undefined {
  const lines = new LineCounter();
  const document = parseDocument(readFileSync(join(root, kustomizationFile), 'utf8'), { lineCounter: lines });
  loaded.set(kustomizationFile, { documents: [document], lines });
  const at = (path: (string | number)[], message: string) => {
    const line = lineOf(kustomizationFile, 0, path);
    problems.push({ file: kustomizationFile, ...(line === undefined ? {} : { line }), message });
  };
  if (document.errors.length > 0) {
    for (const error of document.errors) at([], error.message.split('\n')[0] ?? '');
    return undefined;
  }
  const value = document.toJS() as Record<string, unknown> | null;
  if (value === null || typeof value !== 'object') {
    at([], 'must be a mapping');
    return undefined;
  }
  if (value.apiVersion !== 'kustomize.config.k8s.io/v1beta1' || value.kind !== 'Kustomization') {
    at([], 'must be apiVersion kustomize.config.k8s.io/v1beta1, kind Kustomization');
  }
  for (const [field, entryFields] of Object.entries(value)) {
    if (!(field in KUSTOMIZATION_FIELDS)) {
      at(
        [field],
        `unknown or unsupported field "${field}" (the check knows ${Object.keys(KUSTOMIZATION_FIELDS).join(', ')})`,
      );
      continue;
    }
    const allowed = KUSTOMIZATION_FIELDS[field];
    if (allowed === null || allowed === undefined) continue;
    if (!Array.isArray(entryFields)) {
      at([field], `${field} must be a list`);
      continue;
    }
    entryFields.forEach((entry: unknown, index) => {
      for (const key of Object.keys((entry as Record<string, unknown> | null) ?? {})) {
        if (!allowed.includes(key))
          at([field, index, key], `unknown field "${key}" in ${field} (allowed: ${allowed.join(', ')})`);
      }
    });
  }
  const strings = (field: string): string[] => {
    const list = value[field];
    if (!Array.isArray(list) || list.some((item) => typeof item !== 'string')) {
      at([field], `${field} must be a list of file names`);
      return [];
    }
    return list as string[];
  };
  const generators = (field: string): Generator[] => {
    const list = value[field];
    if (!Array.isArray(list) || list.length !== 1) {
      at([field], `${field} must generate exactly one object (adsync has one ConfigMap and one Secret)`);
      return [];
    }
    return (list as { name?: unknown; envs?: unknown }[]).map((generator, index) => {
      const envs = generator.envs;
      if (typeof generator.name !== 'string' || !Array.isArray(envs) || envs.length !== 1) {
        at([field, index], 'needs a name and exactly one envs file');
        return { name: String(generator.name), envs: [] };
      }
      return { name: generator.name, envs: envs.map(String) };
    });
  };
  const images = Array.isArray(value.images) ? (value.images as { name?: unknown }[]) : [];
  return {
    resources: strings('resources'),
    configMapGenerator: generators('configMapGenerator'),
    secretGenerator: generators('secretGenerator'),
    images: images.map((image) => ({ name: String(image.name) })),
  };
}

/** Every file under infra/k8s, relative to the repository root. */
function filesUnder(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(`${dir}/${entry.name}`) : [`${dir}/${entry.name}`],
  );
}

function readEnvFile(file: string, ignored: boolean): { file: string; values: Map<string, string> } | undefined {
  // A git-ignored secrets file is absent on clean clones: its .example lists the same names.
  const candidate = existsSync(join(root, file)) ? file : ignored ? `${file}.example` : file;
  if (!existsSync(join(root, candidate))) {
    problems.push({ file, message: `is missing${ignored ? ` (and so is ${file}.example)` : ''}` });
    return undefined;
  }
  const { values, duplicates } = parseEnvFile(readFileSync(join(root, candidate), 'utf8'));
  for (const key of duplicates) problems.push({ file: candidate, message: `${key} is set twice` });
  return { file: candidate, values };
}

// --- run ---------------------------------------------------------------------------------------

const kustomization = readKustomization();
const objects: FleetObject[] = [];
const kinds = new Map<string, number>();
let filesChecked = 0;

if (kustomization !== undefined) {
  const listed = new Set(kustomization.resources.map((resource) => `${k8sDir}/${resource}`));
  const configEnvFile = `${k8sDir}/${kustomization.configMapGenerator[0]?.envs[0] ?? 'config.env'}`;
  const secretEnvFile = `${k8sDir}/${kustomization.secretGenerator[0]?.envs[0] ?? 'secrets.env'}`;
  const gitignore = readFileSync(join(root, '.gitignore'), 'utf8').split('\n');
  if (!gitignore.includes(secretEnvFile)) {
    problems.push({ file: '.gitignore', message: `must list ${secretEnvFile}: it holds the secrets' values` });
  }
  const expected = new Set([kustomizationFile, ...listed, configEnvFile, secretEnvFile, `${secretEnvFile}.example`]);
  for (const file of filesUnder(k8sDir)) {
    if (/\.ya?ml$/.test(file) && !listed.has(file) && file !== kustomizationFile) {
      problems.push({ file, message: `is not listed in ${kustomizationFile} resources, so it is never applied` });
    } else if (!expected.has(file)) {
      problems.push({ file, message: `is not used by ${kustomizationFile}: list it or remove it` });
    }
  }
  for (const file of listed) {
    if (!existsSync(join(root, file)) || !statSync(join(root, file)).isFile()) {
      problems.push({ file: kustomizationFile, message: `lists ${file}, which is not a file` });
      continue;
    }
    const source = readYamlFile(file);
    if (source === undefined) continue;
    filesChecked += 1;
    source.documents.forEach((document, index) => {
      if (document.contents === null) return;
      const object = document.toJS() as FleetObject['object'];
      const name = `${String(object?.kind)}/${String(object?.metadata?.name)}`;
      for (const problem of validateStrictly(object)) {
        const line = lineOf(file, index, pointerToPath(problem.path));
        problems.push({
          file,
          ...(line === undefined ? {} : { line }),
          object: name,
          message: `${problem.path}: ${problem.message}`,
        });
      }
      if (
        objects.some(
          (other) => other.object.kind === object.kind && other.object.metadata?.name === object.metadata?.name,
        )
      ) {
        problems.push({ file, object: name, message: 'is defined twice; kustomize refuses duplicates' });
      }
      objects.push({ file, index, object });
      kinds.set(String(object.kind), (kinds.get(String(object.kind)) ?? 0) + 1);
    });
  }

  const configEnv = readEnvFile(configEnvFile, false);
  const secretEnv = readEnvFile(secretEnvFile, true);
  const configName = kustomization.configMapGenerator[0]?.name;
  const secretName = kustomization.secretGenerator[0]?.name;
  if (configEnv !== undefined && secretEnv !== undefined && configName !== undefined && secretName !== undefined) {
    // The generated objects go through the same schemas (names, keys) as the files.
    const generated = [
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: configName },
        data: Object.fromEntries(configEnv.values),
      },
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: secretName },
        stringData: Object.fromEntries(secretEnv.values),
      },
    ];
    for (const object of generated) {
      for (const problem of validateStrictly(object)) {
        problems.push({
          file: kustomizationFile,
          object: `${object.kind}/${object.metadata.name}`,
          message: problem.message,
        });
      }
      kinds.set(object.kind, (kinds.get(object.kind) ?? 0) + 1);
    }
    const fleetProblems: FleetProblem[] = checkFleet({
      root,
      objects,
      configEnv: { name: configName, ...configEnv },
      secretEnv: { name: secretName, ...secretEnv },
      imageNames: kustomization.images.map((image) => image.name),
    });
    for (const problem of fleetProblems) {
      const line = lineOf(problem.file, problem.index, problem.path);
      const object =
        problem.index === undefined
          ? undefined
          : objects.find((candidate) => candidate.file === problem.file && candidate.index === problem.index);
      problems.push({
        file: problem.file,
        ...(line === undefined ? {} : { line }),
        ...(object === undefined
          ? {}
          : { object: `${String(object.object.kind)}/${String(object.object.metadata?.name)}` }),
        message: problem.message,
      });
    }
  }
}

for (const problem of problems) {
  const where = `${relative(root, join(root, problem.file))}${problem.line === undefined ? '' : `:${problem.line}`}`;
  console.error(`✗ ${where}${problem.object === undefined ? '' : ` ${problem.object}`}: ${problem.message}`);
}
const summary = [...kinds].map(([kind, count]) => `${count} ${kind}`).join(', ');
if (problems.length > 0) {
  console.error(`check:manifests: ${problems.length} problem${problems.length === 1 ? '' : 's'} (${summary})`);
  process.exitCode = 1;
} else {
  console.log(
    `check:manifests: ${filesChecked} files, ${objects.length} objects valid against the Kubernetes and KEDA schemas ` +
      `(unknown fields refused), and the fleet rules hold: ${summary}`,
  );
}
