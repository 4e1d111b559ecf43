import type { Json, JsonObject, Scenario, ToolResult, ToolSpec } from '../model/types.ts';
import { ToolError, type DomainImpl, type ToolImpl } from './domain.ts';
import { getDomain } from './domains/index.ts';
import { CODE_TOOL_TIMEOUT_MS, compileDeclarativeTool, type CodeToolImpl } from './tools/declarative.ts';
import type { CodeToolJob, CodeToolOutcome } from './tools/code.ts';

/** A scenario's database plus its tools, private to one session. */
export interface Environment {
  readonly tools: readonly ToolSpec[];
  /**
   * Runs a tool. Never throws: unknown tools, bad arguments and crashes are error results.
   * Code tools need the sandbox and so `callAsync`; here they answer with an error.
   */
  call(name: string, args: JsonObject): ToolResult;
  /** Runs any tool, code tools included (in the sandbox). Never rejects. */
  callAsync(name: string, args: JsonObject): Promise<ToolResult>;
  /** True when `name` is a tool whose success ends the session with a hand-off to a person. */
  isTransfer(name: string): boolean;
  /** A deep copy of the database as it stands. */
  snapshot(): JsonObject;
}

/**
 * Runs a code tool's source on a copy of the database, isolated from the page (no network,
 * no DOM) and within a time limit. The page uses a worker; tests in Node use node:vm.
 * Resolves with the changed database and the result, or a failure; never rejects.
 */
export type CodeToolRunner = (job: CodeToolJob) => Promise<CodeToolOutcome>;

/** Where a session's tools come from besides the scenario file itself. */
export interface EnvironmentOptions {
  /** Built-in code for the scenario's domain; by default the built-in domain of that name. */
  domain?: DomainImpl;
  /** Runs code tools; without one they fail with a clear error. */
  codeRunner?: CodeToolRunner;
}

/** Freezes JSON data all the way down; returns it. */
function deepFreeze<T extends Json>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v as Json);
  }
  return value;
}

/** Deep copy of JSON data. */
export function cloneJson<T extends Json>(value: T): T {
  return structuredClone(value);
}

/** How one granted tool runs. */
type Resolved =
  | {
      kind: 'sync';
      spec: ToolSpec;
      impl: ToolImpl;
      transfer: boolean;
      /** A declarative read that shapes its answer with set/append/delete: it needs a scratch copy. */
      shapes?: boolean;
    }
  | { kind: 'code'; spec: ToolSpec; impl: CodeToolImpl; transfer: boolean };

function resolveTool(spec: ToolSpec, domain: DomainImpl | undefined): Resolved | undefined {
  // A tool the file itself implements wins: the file is explicit about what it means.
  if (spec.impl?.type === 'declarative') {
    const shapes = spec.impl.steps.some((st) => 'set' in st || 'append' in st || 'delete' in st);
    return { kind: 'sync', spec, impl: compileDeclarativeTool(spec, spec.impl), transfer: spec.impl.transfer === true, shapes };
  }
  if (spec.impl?.type === 'code') return { kind: 'code', spec, impl: spec.impl, transfer: spec.impl.transfer === true };
  const impl = domain && Object.hasOwn(domain.tools, spec.name) ? domain.tools[spec.name] : undefined;
  return impl ? { kind: 'sync', spec, impl, transfer: domain!.transferTools.includes(spec.name) } : undefined;
}

/** The names of the scenario's tools that nothing implements (no built-in code, no impl). */
export function unimplementedTools(tools: readonly ToolSpec[], domainId: string): string[] {
  const domain = getDomain(domainId);
  return tools.filter((t) => !resolveTool(t, domain)).map((t) => t.name);
}

function toOptions(arg: DomainImpl | EnvironmentOptions | undefined): EnvironmentOptions {
  if (arg && 'tools' in arg && 'transferTools' in arg) return { domain: arg as DomainImpl };
  return (arg as EnvironmentOptions | undefined) ?? {};
}

/**
 * Builds the environment for one session: a fresh copy of the scenario's initial database
 * and only the tools the scenario grants the agent. A tool runs from its own `impl` when the
 * scenario file gives one, otherwise from the domain's built-in code.
 */
export function createEnvironment(scenario: Scenario, options?: DomainImpl | EnvironmentOptions): Environment {
  const opts = toOptions(options);
  const domain = opts.domain ?? getDomain(scenario.domain);
  // The committed state is frozen: reads run on it directly (copying a 2.8 MB database for
  // every look-up dominated replays), and a read that tried to change it would crash rather
  // than change the state being scored. Writes work on a copy, committed only on success.
  let db = deepFreeze(cloneJson(scenario.initialDb));
  const granted = new Map<string, Resolved | undefined>(scenario.agent.tools.map((t) => [t.name, resolveTool(t, domain)]));

  function precheck(name: string, args: JsonObject): ToolResult | Resolved {
    const resolved = granted.get(name);
    if (!resolved) {
      const available = [...granted].filter(([, r]) => r).map(([n]) => n);
      return {
        ok: false,
        error: { name: 'UnknownTool', message: `Unknown tool "${name}". Available tools: ${available.join(', ')}.` },
      };
    }
    const problem = checkArguments(resolved.spec, args);
    if (problem) return { ok: false, error: { name: 'InvalidArguments', message: problem } };
    return resolved;
  }

  function runSync(resolved: Extract<Resolved, { kind: 'sync' }>, args: JsonObject): ToolResult {
    // A write works on a copy, so one that fails half-way leaves nothing behind; a read works
    // on the frozen state itself.
    const write = resolved.spec.kind === 'write';
    const draft = write || resolved.shapes ? cloneJson(db) : db;
    try {
      const value = resolved.impl(draft, cloneJson(args));
      if (write) db = deepFreeze(draft);
      return { ok: true, value: value === undefined ? null : cloneJson(value) };
    } catch (err) {
      if (err instanceof ToolError) return { ok: false, error: { name: err.errorName, message: err.message } };
      const e = err as { message?: string };
      return { ok: false, error: { name: 'ToolCrashed', message: `${resolved.spec.name} failed: ${e?.message ?? String(err)}` } };
    }
  }

  return {
    tools: scenario.agent.tools,
    call(name, args) {
      const r = precheck(name, args);
      if ('ok' in r) return r;
      if (r.kind === 'code') {
        return { ok: false, error: { name: 'ToolCrashed', message: `${name} is a code tool and runs only in the sandbox (callAsync).` } };
      }
      return runSync(r, args);
    },
    async callAsync(name, args) {
      const r = precheck(name, args);
      if ('ok' in r) return r;
      if (r.kind === 'sync') return runSync(r, args);
      if (!opts.codeRunner) {
        return { ok: false, error: { name: 'ToolCrashed', message: `${name} is a code tool, and no sandbox is available to run it here.` } };
      }
      try {
        const out = await opts.codeRunner({
          tool: name,
          source: r.impl.source,
          db: cloneJson(db),
          args: cloneJson(args),
          timeoutMs: r.impl.timeoutMs ?? CODE_TOOL_TIMEOUT_MS,
        });
        if (!out.ok) return { ok: false, error: out.error };
        // Copies: a runner may keep what it handed back, and the session's state is ours alone.
        if (r.spec.kind === 'write') db = deepFreeze(cloneJson(out.db));
        return { ok: true, value: cloneJson(out.value ?? null) };
      } catch (err) {
        return { ok: false, error: { name: 'ToolCrashed', message: `${name} failed: ${(err as Error)?.message ?? String(err)}` } };
      }
    },
    isTransfer(name) {
      return granted.get(name)?.transfer ?? false;
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
    if (!Object.hasOwn(args, req) || args[req] === null || args[req] === undefined) {
      return `${spec.name}: missing required argument "${req}".`;
    }
  }
  for (const [key, value] of Object.entries(args)) {
    // Own properties only: an argument named "constructor" is not a declared parameter.
    const prop = Object.hasOwn(props, key) ? props[key] : undefined;
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
