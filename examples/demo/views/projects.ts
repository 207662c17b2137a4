import { component, defineComponent, defineView, html, keyed, stream } from "../../../src/index.ts";
import { activity, findProject, like, likesOf, listProjects, listUrl, readListQuery, SORTS, TAGS, type Activity, type ListQuery } from "./projects-data.ts";

/**
 * A project's card: a component with its own state (the likes), so a like
 * re-renders this card alone. Its link opens the project with a live
 * navigation (no page load).
 */
export const ProjectCard = defineComponent({
  mount: (p: { id: string; slug: string; href: string }) => ({ slug: p.slug, href: p.href, likes: likesOf(p.slug) }),
  events: {
    like: (s) => ({ ...s, likes: like(s.slug) }),
  },
  render: (s) => {
    const p = findProject(s.slug);
    return html`
      <article class="card">
        <a href=${s.href} weft-navigate><strong>${p?.name}</strong></a> <small class="muted">${p?.year}</small>
        <p class="muted">${p?.summary}</p>
        <button weft-click="like" class="secondary"><span class="sr-only">Like ${p?.name}: </span>♥ <span class="likes">${s.likes}</span></button>
      </article>`;
  },
});

/** How many activity rows a page (and "Load more") adds. */
const PAGE = 10;

interface State extends ListQuery {
  /** How many activity rows are loaded: the server keeps the count, the page keeps the rows. */
  loaded: number;
}

/** A filter or sort link: a live patch, so only handleParams runs and the list re-renders. */
const choice = (q: ListQuery, label: string, on: boolean) =>
  html`<a href=${listUrl(q)} weft-patch aria-current=${on ? "page" : null}>${label}</a>`;

/**
 * The projects list: cards (components) in a keyed list, filtered and sorted
 * by the URL's query (weft-patch links, read in handleParams), and the
 * activity log, an endless list on a stream.
 */
export const Projects = defineView<State>({
  title: "Projects",
  mount: () => ({ tag: "all", sort: "name", loaded: PAGE }),
  // The filter and order come from the URL: a patch, Back/Forward and a page load agree.
  handleParams: (params, _url, s) => ({ ...s, ...readListQuery(params) }),
  // A full render (the join, a rejoin that cannot resume) shows the loaded rows once.
  streams: (s, ctx) => ctx.stream("activity", activity(1, s.loaded)),
  events: {
    more: (s, _p, ctx) => {
      ctx.stream("activity", activity(s.loaded + 1, PAGE));
      return { ...s, loaded: s.loaded + PAGE };
    },
  },
  render: (s) => {
    const query = listUrl(s).slice("/projects".length); // "?tag=ui": the detail page's back link keeps it
    return html`
      <h1>Projects</h1>
      <p class="row" id="filters">Show:
        ${choice({ ...s, tag: "all" }, "all", s.tag === "all")}
        ${TAGS.map((tag) => choice({ ...s, tag }, tag, s.tag === tag))}
        · Sort:
        ${SORTS.map((sort) => choice({ ...s, sort }, sort, s.sort === sort))}
      </p>
      <ul class="cards projects" id="projects">
        ${keyed(listProjects(s), (p) => p.slug, (p) => html`<li id=${`project-${p.slug}`}>
          ${component(ProjectCard, { id: `card-${p.slug}`, slug: p.slug, href: `/projects/${p.slug}${query}` })}
        </li>`)}
      </ul>
      <h2>Activity</h2>
      <ol id="activity" ${stream<Activity>("activity", (a) => html`<li>${a.text}</li>`)}></ol>
      <button id="more" weft-click="more">Load more</button>`;
  },
});
