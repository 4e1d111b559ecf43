import type { Persona } from '../model/types.ts';
import { renderPolicy } from './policy.ts';

/**
 * The persona as instructions for an LLM user simulator.
 * @deprecated Kept for callers of the interim rendering; use renderPolicy (personas/policy.ts).
 */
export function renderPersonaInstructions(persona: Persona): string {
  return renderPolicy(persona);
}
