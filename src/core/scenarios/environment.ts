import type { Json, JsonObject, Scenario, ToolResult, ToolSpec } from '../model/types.ts';
import { ToolError, type DomainImpl } from './domain.ts';

/** A scenario's database plus its tools, private to one session. */
export interface Environment {
  readonly tools: readonly ToolSpec[];
  /** Runs a tool. Never throws: unknown tools, bad arguments and crashes are error results. */
  call(name: string, args: JsonObject): ToolResult;
  /** True when `name` is a tool whose success ends the session with a hand-off to a person. */
  isTransfer(name: string): boolean;
  /** A deep copy of the database as it stands. */
  snapshot(): JsonObject;
}

/** Deep copy of JSON data. */
export function cloneJson<T extends Json>(value: T): T {
  return structuredClone(value);
}

/**
 * Builds the environment for one session: a fresh copy of the scenario's initial database
 * and only the tools the scenario grants the agent.
 */
export function createEnvironment(scenario: Scenario, domain: DomainImpl): Environment {
  let db = cloneJson(scenario.initialDb);
  const granted = new Map(scenario.agent.tools.map((t) => [t.name, t]));
  return {
    tools: scenario.agent.tools,
    call(name, args) {
      const spec = granted.get(name);
      const impl = domain.tools[name];
      if (!spec || !impl) {
        return {
          ok: false,
          error: {
            name: 'UnknownTool',
            message: `Unknown tool "${name}". Available tools: ${[...granted.keys()].join(', ')}.`,
          },
        };
      }
      const problem = checkArguments(spec, args);
      if (problem) return { ok: false, error: { name: 'InvalidArguments', message: problem } };
      // Every call works on a copy: a read can never change the state being scored, and a
      // write that fails half-way leaves nothing behind. A successful write is committed.
      const draft = cloneJson(db);
      try {
        const value = impl(draft, args);
        if (spec.kind === 'write') db = draft;
        return { ok: true, value: value === undefined ? null : cloneJson(value) };
      } catch (err) {
        if (err instanceof ToolError) {
          return { ok: false, error: { name: err.errorName, message: err.message } };
        }
        const e = err as { name?: string; message?: string };
        return {
          ok: false,
          error: { name: 'ToolCrashed', message: `${name} failed: ${e?.message ?? String(err)}` },
        };
      }
    },
    isTransfer(name) {
      return domain.transferTools.includes(name);
    },
    snapshot() {
      return cloneJson(db);
    },
  };
}

/**
 * Checks arguments against the tool's JSON-Schema parameters: required fields present,
 * no unknown fields when additionalProperties is false, and primitive types. Returns a
 * message naming the argument, or null when they are fine.
 */
export function checkArguments(spec: ToolSpec, args: JsonObject): string | null {
  if (args === null || typeof args !== 'object' || Array.isArray(args)) {
    return `${spec.name}: arguments must be a JSON object.`;
  }
  const params = spec.parameters as {
    properties?: Record<string, { type?: string | string[]; enum?: Json[] }>;
    required?: string[];
    additionalProperties?: boolean;
  };
  const props = params.properties ?? {};
  for (const req of params.required ?? []) {
    if (!(req in args) || args[req] === null || args[req] === undefined) {
      return `${spec.name}: missing required argument "${req}".`;
    }
  }
  for (const [key, value] of Object.entries(args)) {
    const prop = props[key];
    if (!prop) {
      if (params.additionalProperties === false) {
        return `${spec.name}: unknown argument "${key}". Expected: ${Object.keys(props).join(', ') || 'none'}.`;
      }
      continue;
    }
    if (prop.type && value !== null) {
      const types = Array.isArray(prop.type) ? prop.type : [prop.type];
      if (!types.some((t) => matchesType(t, value))) {
        return `${spec.name}: argument "${key}" must be ${types.join(' or ')}, got ${describe(value)}.`;
      }
    }
    if (prop.enum && !prop.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
      return `${spec.name}: argument "${key}" must be one of ${prop.enum.map((e) => JSON.stringify(e)).join(', ')}.`;
    }
  }
  return null;
}

function matchesType(type: string, value: Json): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'array':
      return Array.isArray(value);
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'null':
      return value === null;
    default:
      return true;
  }
}

function describe(value: Json): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  return `a ${typeof value} (${JSON.stringify(value).slice(0, 40)})`;
}
