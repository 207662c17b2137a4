/**
 * Matches request paths to registered view paths. Patterns are literal
 * segments and `:name` params; a param matches one non-empty segment.
 */
import type { ViewDefinition } from "./view.ts";

/** A matched route. */
export interface RouteMatch {
  /** The registered pattern, e.g. "/rooms/:id" (what tokens bind). */
  readonly pattern: string;
  readonly view: ViewDefinition<unknown>;
  /** Path params, decoded. */
  readonly params: Record<string, string>;
}

interface Route {
  pattern: string;
  view: ViewDefinition<unknown>;
  segments: string[];
}

export class Router {
  private readonly routes: Route[] = [];
  private readonly byPattern = new Map<string, ViewDefinition<unknown>>();

  constructor(views: Record<string, ViewDefinition<unknown>>) {
    for (const pattern of Object.keys(views)) {
      const view = views[pattern] as ViewDefinition<unknown>;
      this.routes.push({ pattern, view, segments: split(pattern) });
      this.byPattern.set(pattern, view);
    }
    // Literal routes win over param routes: "/rooms/new" before "/rooms/:id".
    this.routes.sort((a, b) => paramCount(a) - paramCount(b));
  }

  /** The view registered at exactly this pattern (token joins). */
  byPath(pattern: string): ViewDefinition<unknown> | undefined {
    return this.byPattern.get(pattern);
  }

  /** Development hot reload (dev/hot-reload.ts): every route's view becomes `newest(view)`. */
  replaceViews(newest: <V extends object>(view: V) => V): void {
    for (const r of this.routes) this.byPattern.set(r.pattern, (r.view = newest(r.view)));
  }

  /** Matches a request pathname. */
  match(pathname: string): RouteMatch | undefined {
    const parts = split(pathname);
    for (const r of this.routes) {
      const params = matchSegments(r.segments, parts);
      if (params !== undefined) return { pattern: r.pattern, view: r.view, params };
    }
    return undefined;
  }
}

function split(path: string): string[] {
  return path.split("/").filter((s) => s !== "");
}

function paramCount(r: Route): number {
  return r.segments.filter((s) => s.startsWith(":")).length;
}

function matchSegments(pattern: string[], parts: string[]): Record<string, string> | undefined {
  if (pattern.length !== parts.length) return undefined;
  const params: Record<string, string> = Object.create(null);
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i] as string;
    const part = parts[i] as string;
    if (p.startsWith(":")) {
      try {
        params[p.slice(1)] = decodeURIComponent(part);
      } catch {
        return undefined;
      }
    } else if (p !== part) return undefined;
  }
  return params;
}
