/**
 * The projects section's data: a fixed list of projects, their likes, and an
 * endless activity log made up from its row number. A real app reads a
 * database; the demo keeps the likes in the process (with several nodes, each
 * node counts its own).
 */

/** A tag to filter by. */
export type Tag = "ui" | "server" | "tools";
/** The list's order. */
export type Sort = "name" | "newest";

export interface Project {
  slug: string;
  name: string;
  year: number;
  tag: Tag;
  summary: string;
}

export const TAGS: readonly Tag[] = ["ui", "server", "tools"];
export const SORTS: readonly Sort[] = ["name", "newest"];

export const PROJECTS: readonly Project[] = [
  { slug: "loom", name: "Loom", year: 2019, tag: "server", summary: "Weaves request logs into timelines." },
  { slug: "shuttle", name: "Shuttle", year: 2023, tag: "server", summary: "Moves jobs between queues." },
  { slug: "warp", name: "Warp", year: 2021, tag: "server", summary: "A tiny HTTP cache." },
  { slug: "bobbin", name: "Bobbin", year: 2022, tag: "ui", summary: "Date pickers that respect the keyboard." },
  { slug: "heddle", name: "Heddle", year: 2018, tag: "ui", summary: "Accessible tabs and menus." },
  { slug: "selvage", name: "Selvage", year: 2024, tag: "ui", summary: "Layout primitives for forms." },
  { slug: "spindle", name: "Spindle", year: 2020, tag: "tools", summary: "Formats SQL the way you would." },
  { slug: "treadle", name: "Treadle", year: 2025, tag: "tools", summary: "Runs a script on every save." },
];

/** The project with this slug, if any. */
export function findProject(slug: string): Project | undefined {
  return PROJECTS.find((p) => p.slug === slug);
}

/** The list's filter and order, read from a URL's query (unknown values fall back to the defaults). */
export interface ListQuery {
  tag: Tag | "all";
  sort: Sort;
}

export function readListQuery(params: Record<string, string | undefined>): ListQuery {
  const tag = TAGS.find((t) => t === params.tag) ?? "all";
  const sort = SORTS.find((s) => s === params.sort) ?? "name";
  return { tag, sort };
}

/** The list's URL for a filter and order (defaults left out: `/projects`). */
export function listUrl(q: ListQuery): string {
  const query = new URLSearchParams();
  if (q.tag !== "all") query.set("tag", q.tag);
  if (q.sort !== "name") query.set("sort", q.sort);
  const s = query.toString();
  return s === "" ? "/projects" : `/projects?${s}`;
}

/** The projects the list shows, filtered and sorted. */
export function listProjects(q: ListQuery): Project[] {
  const shown = PROJECTS.filter((p) => q.tag === "all" || p.tag === q.tag);
  return q.sort === "newest" ? shown.sort((a, b) => b.year - a.year) : shown.sort((a, b) => a.name.localeCompare(b.name));
}

const likes = new Map<string, number>();

/** A project's likes. */
export function likesOf(slug: string): number {
  return likes.get(slug) ?? 0;
}

/** Adds a like; returns the new count. */
export function like(slug: string): number {
  const n = likesOf(slug) + 1;
  likes.set(slug, n);
  return n;
}

export interface Activity {
  id: number;
  text: string;
}

const WHO = ["ann", "bob", "chen", "dara", "eli"];
const DID = ["pushed to", "opened an issue in", "reviewed a change in", "released"];

/** Activity rows `from` … `from + n - 1`, newest first (row 1 is the newest). */
export function activity(from: number, n: number): Activity[] {
  return Array.from({ length: n }, (_, i) => {
    const id = from + i;
    const project = PROJECTS[id % PROJECTS.length] as Project;
    return { id, text: `${WHO[id % WHO.length]} ${DID[id % DID.length]} ${project.name}` };
  });
}
