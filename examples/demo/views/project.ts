import { defineView, html, liveView } from "../../../src/index.ts";
import { Chat } from "./chat.ts";
import { findProject, likesOf, listUrl, readListQuery } from "./projects-data.ts";

interface State {
  slug: string;
  /** The list to go back to, with the filter and order it had. */
  back: string;
}

/**
 * One project, reached from the list by a live navigation: the title follows
 * the project, and the project's chat room is the demo's chat, embedded as a
 * child view with its own session.
 */
export const ProjectPage = defineView<State>({
  title: (s) => findProject(s.slug)?.name ?? "No such project",
  mount: () => ({ slug: "", back: "/projects" }),
  handleParams: (params, _url) => ({ slug: params.id ?? "", back: listUrl(readListQuery(params)) }),
  render: (s) => {
    const p = findProject(s.slug);
    const back = html`<p><a id="back" href=${s.back} weft-navigate>← All projects</a></p>`;
    if (p === undefined) return html`${back}<h1>No such project</h1>`;
    return html`
      ${back}
      <h1 id="project">${p.name}</h1>
      <p>${p.summary}</p>
      <p class="muted">${p.tag} · since ${p.year} · ♥ ${likesOf(p.slug)}</p>
      ${liveView(Chat, { id: `chat-${p.slug}`, session: { room: `project-${p.slug}` } })}`;
  },
});
