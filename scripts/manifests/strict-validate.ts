// Validates one Kubernetes or KEDA object offline against the API's JSON schemas (kubernetes-models,
// @kubernetes-models/keda), and, unlike those schemas, refuses fields the API does not define.
//
// The published schemas leave out `additionalProperties: false`, so a misspelt field (`imagePullPolicyy`,
// `triggerz`) would pass and then be dropped silently by the API server. The validators are compiled code
// that reads every property its schema declares and enumerates the keys of maps (labels, resources,
// trigger metadata); watching what it reads through a Proxy therefore tells which keys it does not know.

import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';

/** The kinds our manifests may use; anything else is refused until a schema is added here. */
const MODELS: Record<string, { prototype: { validate(): void } }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Namespace': Namespace,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'keda.sh/v1alpha1/ScaledObject': ScaledObject,
};

export const KNOWN_KINDS = Object.keys(MODELS);

export interface SchemaProblem {
  /** JSON pointer into the object, e.g. `/spec/template/spec/containers/0/image`. */
  path: string;
  message: string;
}

interface Visit {
  keys: string[];
  read: Set<string>;
  enumerated: boolean;
}

/** A proxy of `value` that records, per object, which keys the validator read or whether it enumerated them. */
function watched(value: unknown, path: string, visits: Map<string, Visit>): unknown {
  if (value === null || typeof value !== 'object') return value;
  const visit: Visit = { keys: Array.isArray(value) ? [] : Object.keys(value), read: new Set(), enumerated: false };
  visits.set(path, visit);
  const children = new Map<string, unknown>();
  return new Proxy(value, {
    get(target, key, receiver) {
      const child: unknown = Reflect.get(target, key, receiver);
      if (typeof key !== 'string') return child;
      visit.read.add(key);
      if (child === null || typeof child !== 'object') return child;
      if (!children.has(key)) children.set(key, watched(child, `${path}/${escapePointer(key)}`, visits));
      return children.get(key);
    },
    has(target, key) {
      if (typeof key === 'string') visit.read.add(key);
      return Reflect.has(target, key);
    },
    ownKeys(target) {
      visit.enumerated = true;
      return Reflect.ownKeys(target);
    },
  });
}

function escapePointer(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}

interface AjvError {
  instancePath?: string;
  message?: string;
  params?: Record<string, unknown>;
}

function describeAjvError(error: AjvError): SchemaProblem {
  const allowed = error.params?.allowedValues;
  const message = Array.isArray(allowed)
    ? `${error.message ?? 'is invalid'}: ${allowed.map((value) => JSON.stringify(value)).join(', ')}`
    : (error.message ?? 'is invalid');
  return { path: error.instancePath || '/', message };
}

/** Every schema violation and unknown field of one object, or one problem if its kind has no schema here. */
export function validateStrictly(object: unknown): SchemaProblem[] {
  if (object === null || typeof object !== 'object' || Array.isArray(object)) {
    return [{ path: '/', message: 'must be a mapping with apiVersion and kind' }];
  }
  const { apiVersion, kind } = object as { apiVersion?: unknown; kind?: unknown };
  const model = MODELS[`${String(apiVersion)}/${String(kind)}`];
  if (model === undefined) {
    return [
      {
        path: '/',
        message: `no schema for apiVersion "${String(apiVersion)}", kind "${String(kind)}" (known: ${KNOWN_KINDS.join(', ')})`,
      },
    ];
  }
  const visits = new Map<string, Visit>();
  const problems: SchemaProblem[] = [];
  try {
    model.prototype.validate.call(watched(object, '', visits));
  } catch (error) {
    const errors = (error as { errors?: AjvError[] }).errors;
    if (!Array.isArray(errors)) throw error;
    problems.push(...errors.map(describeAjvError));
  }
  for (const [path, visit] of visits) {
    if (visit.enumerated) continue;
    for (const key of visit.keys) {
      if (!visit.read.has(key)) {
        problems.push({ path: `${path}/${escapePointer(key)}`, message: `unknown field "${key}"` });
      }
    }
  }
  return problems;
}
