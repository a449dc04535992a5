/**
 * Stack Overflow's tag syntax, shared by ingestion (which refuses anything else) and the extension
 * (which types tags into the ask page). Pure: browser-safe.
 */

/** Tag syntax the site accepts: 1-35 of a-z 0-9 + # . - (no spaces), not starting with '-'. */
export function isValidTagName(name: string): boolean {
  return /^[a-z0-9+#.][a-z0-9+#.-]{0,34}$/.test(name);
}
