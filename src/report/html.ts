/**
 * HTML built as strings, safely. Every value put into the `html` template is escaped with
 * escape-html (the escaper Express uses: & < > " ' become entities) unless it is already
 * markup made by this module (`SafeHtml`): a fragment from another `html` template, or an SVG
 * a chart library rendered through the DOM (`trusted`). So a report never concatenates user
 * data (scenario titles, persona names, run names, transcripts) into markup unescaped: the only
 * way to put a string in unescaped is to call `trusted` on it, and only chart output is.
 */
import escapeHtml from 'escape-html';

/** Markup that is already safe to place as it is. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** What an `html` template takes: text (escaped), numbers, markup, lists of these; null/undefined/false print nothing. */
export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/**
 * A tagged template whose interpolations are escaped: html`<td>${title}</td>`. Put it in
 * attribute values only inside double quotes (escape-html escapes both quote characters).
 */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + strings[i + 1]!;
  return new SafeHtml(out);
}

/**
 * Markup from a trusted producer, e.g. a chart's `outerHTML` serialized by the DOM (which
 * escapes the text and attributes it holds). Never call it on user data.
 */
export function trusted(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

/** The escaped text of a value, for places outside a template. */
export function escapeText(text: string): string {
  return escapeHtml(text);
}
