import type { Json, JsonObject, ToolErrorName } from '../model/types.ts';

/**
 * A tool failure a domain rule raises on purpose ("Order not found"). The environment turns
 * it into an error result the agent sees; any other exception becomes `ToolCrashed`.
 */
export class ToolError extends Error {
  constructor(
    message: string,
    readonly errorName: Exclude<ToolErrorName, 'UnknownTool' | 'ToolCrashed'> = 'DomainError',
  ) {
    super(message);
    this.name = 'ToolError';
  }
}

/**
 * A tool's implementation: reads and may change `db` in place (the environment hands it a
 * private copy), returns a JSON result, or throws ToolError.
 */
export type ToolImpl = (db: JsonObject, args: JsonObject) => Json;

/** Code behind a domain: its tools by name. */
export interface DomainImpl {
  id: string;
  tools: Record<string, ToolImpl>;
  /** Tools whose successful call hands the user to a person and ends the session. */
  transferTools: string[];
}
