import { defineView, html } from "../../../src/index.ts";

interface Todo {
  id: number;
  title: string;
  done: boolean;
}

interface State {
  todos: Todo[];
  nextId: number;
  /** Why the last add was refused (shown under the field, which then takes focus). */
  error?: string;
}

const MAX_TODOS = 200;

const items = (n: number) => `${n} item${n === 1 ? "" : "s"}`;

const item = (t: Todo) => html`
  <li class=${t.done ? "done" : ""}>
    <label><input type="checkbox" weft-click="toggle" weft-value-id=${t.id} checked=${t.done}> ${t.title}</label>
    <button class="link" weft-click="remove" weft-value-id=${t.id} aria-label="delete">✕</button>
  </li>`;

/** A todo list: add, toggle, delete — each change travels as a list diff. */
export const Todos = defineView<State>({
  title: "Todos",
  mount: () => ({ todos: [{ id: 1, title: "Try Weft", done: false }], nextId: 2 }),
  events: {
    add: (s, p, ctx) => {
      const title = String(p.title ?? "").trim().slice(0, 200);
      if (title === "") return;
      if (s.todos.some((t) => t.title === title)) return { ...s, error: `“${title}” is on the list already.` };
      if (s.todos.length >= MAX_TODOS) return { ...s, error: `The list is full (${MAX_TODOS} items).` };
      const todos = [...s.todos, { id: s.nextId, title, done: false }];
      ctx.announce(`Added “${title}”. ${items(todos.length)}.`);
      return { todos, nextId: s.nextId + 1 };
    },
    toggle: (s, p) => ({ ...s, todos: s.todos.map((t) => (t.id === Number(p.id) ? { ...t, done: !t.done } : t)) }),
    remove: (s, p, ctx) => {
      const gone = s.todos.find((t) => t.id === Number(p.id));
      if (gone === undefined) return;
      const todos = s.todos.filter((t) => t !== gone);
      ctx.announce(`Deleted “${gone.title}”. ${items(todos.length)}.`);
      return { ...s, todos };
    },
  },
  render: (s) => html`
    <h1>Todos</h1>
    <form weft-submit="add" class="row">
      <input name="title" aria-label="New todo" placeholder="What needs doing?" autocomplete="off" maxlength="200" required
        aria-describedby="todo-error" aria-invalid=${s.error ? "true" : "false"} weft-focus-after=${s.error !== undefined}>
      <button type="submit" weft-disable-with="Adding…">Add</button>
    </form>
    <p id="todo-error" class="error">${s.error}</p>
    <ul class="todos">${s.todos.map(item)}</ul>
    <p class="muted">${s.todos.filter((t) => !t.done).length} left</p>`,
});
