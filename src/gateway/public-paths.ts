/** `PUBLIC_PATHS` patterns: an exact path (`/health`), or a prefix ending in `*` (`/public/*`, `/docs*`). */

export type PathPattern = { exact: string } | { prefix: string };

export function parsePathPatterns(text: string): PathPattern[] | null {
  const patterns: PathPattern[] = [];
  for (const entry of text
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean)) {
    if (!entry.startsWith("/") || entry.indexOf("*") !== (entry.endsWith("*") ? entry.length - 1 : -1)) return null;
    patterns.push(entry.endsWith("*") ? { prefix: entry.slice(0, -1) } : { exact: entry });
  }
  return patterns;
}

export function matchesAny(path: string, patterns: readonly PathPattern[]): boolean {
  return patterns.some((pattern) => ("exact" in pattern ? path === pattern.exact : path.startsWith(pattern.prefix)));
}
