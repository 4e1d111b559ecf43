/*
 * Limits a persona file must respect. They live apart from the schema so the simulators,
 * the editor and the docs quote the same numbers.
 */

/** The latest user message a scheduled control may name (user messages count from 1). */
export const MAX_CONTROL_TURN = 100;
/** Most dynamic controls on one persona. */
export const MAX_CONTROLS = 20;
/** Largest count an event trigger may wait for (unhelpful agent turns, tool errors). */
export const MAX_EVENT_COUNT = 50;
/** Longest hand-written roleplay policy, in characters. */
export const MAX_POLICY_CHARS = 4000;
/** Longest free-text background, in characters. */
export const MAX_BACKGROUND_CHARS = 2000;
/** Longest control note, in characters. */
export const MAX_CONTROL_NOTE_CHARS = 200;
/**
 * An agent message is "unhelpful" when the user seat rates it at most this (satisfaction,
 * 1–5): the same rule for the LLM simulator (its own rating) and the agenda simulator.
 */
export const UNHELPFUL_MAX_SATISFACTION = 2;
