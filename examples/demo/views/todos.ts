import { defineView, html } from "../../../src/index.ts";

interface Todo {
  id: number;
  title: string;
  done: boolean;
}

interface State {
  todos: Todo[];
  nextId: number;
}

const MAX_TODOS = 200;

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
    add: (s, p) => {
      const title = String(p.title ?? "").trim().slice(0, 200);
      if (title === "" || s.todos.length >= MAX_TODOS) return;
      return { todos: [...s.todos, { id: s.nextId, title, done: false }], nextId: s.nextId + 1 };
    },
    toggle: (s, p) => ({ ...s, todos: s.todos.map((t) => (t.id === Number(p.id) ? { ...t, done: !t.done } : t)) }),
    remove: (s, p) => ({ ...s, todos: s.todos.filter((t) => t.id !== Number(p.id)) }),
  },
  render: (s) => html`
    <h1>Todos</h1>
    <form weft-submit="add" class="row">
      <input name="title" placeholder="What needs doing?" autocomplete="off" maxlength="200" required>
      <button type="submit" weft-disable-with="Adding…">Add</button>
    </form>
    <ul class="todos">${s.todos.map(item)}</ul>
    <p class="muted">${s.todos.filter((t) => !t.done).length} left</p>`,
});
