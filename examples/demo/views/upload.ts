import { randomUUID } from "node:crypto";
import { copyFile, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineView, html, type Uploads } from "../../../src/index.ts";

/** A file the demo kept: its display name, size, and where it lies (a name the demo chose). */
export interface SavedPhoto {
  name: string;
  size: number;
  file: string;
}

interface State {
  /** Filled by Weft (the view declares `uploads`). */
  uploads: Uploads;
  saved: SavedPhoto[];
}

let dir: Promise<string> | undefined;

/**
 * Where the demo keeps saved photos: one temp directory per process. Each
 * file gets a random name there; the name the browser sent is only shown.
 */
export function savedPhotosDir(): Promise<string> {
  return (dir ??= mkdtemp(join(tmpdir(), "weft-demo-photos-")));
}

const kb = (n: number) => `${Math.max(1, Math.round(n / 1024))} KB`;

/**
 * Photo upload: pick or drop PNG or JPEG files; each gets a preview, a
 * progress bar and a Cancel button while it uploads (at once: autoUpload);
 * Save hands the finished ones to the view, which copies them to its own
 * directory under names it chooses.
 */
export const Upload = defineView<State>({
  title: "Upload",
  uploads: { photos: { accept: [".png", ".jpg", ".jpeg"], maxBytes: 5_000_000, maxFiles: 4, autoUpload: true } },
  mount: () => ({ uploads: {} as Uploads, saved: [] }),
  events: {
    save: async (s, _p, ctx) => {
      const to = await savedPhotosDir();
      const saved = await ctx.consumeUploads("photos", async ({ path, name, size }) => {
        const file = join(to, randomUUID());
        await copyFile(path, file);
        return { name, size, file };
      });
      return { ...s, saved: [...s.saved, ...saved] };
    },
  },
  render: (s) => {
    const u = s.uploads.photos ?? { entries: [], errors: [] };
    return html`
    <h1>Upload</h1>
    <form weft-submit="save" id="photos-form">
      <div class="card drop" weft-drop-target="photos" id="drop">
        <label class="field" for="photos">Photos (PNG or JPEG, up to 4 files of 5 MB)</label>
        <input type="file" id="photos" weft-upload="photos" accept=".png,.jpg,.jpeg,image/png,image/jpeg" multiple>
        <p class="muted">…or drop them here.</p>
      </div>
      ${u.errors.length > 0 ? html`<p role="alert" id="upload-errors">${u.errors.join(", ")}</p>` : ""}
      <ul id="entries" class="entries">
        ${u.entries.map((e) => html`<li weft-upload-entry=${e.ref} id=${`entry-${e.ref}`}>
          <img weft-upload-preview=${e.ref} alt=${`Preview of ${e.name}`} width="64" height="64">
          <span class="name">${e.name}</span>
          <progress max="100" value=${e.progress} aria-label=${`Upload of ${e.name}`}>${e.progress}%</progress>
          <span class="state">${e.errors.length > 0 ? `Failed: ${e.errors.join(", ")}` : e.done ? "Uploaded" : `${e.progress}%`}</span>
          <button type="button" class="secondary" weft-upload-cancel=${e.ref} aria-label=${`Cancel ${e.name}`}>Cancel</button>
        </li>`)}
      </ul>
      <button type="submit" id="save" weft-disable-with="Saving…">Save</button>
    </form>
    <h2>Saved</h2>
    <ul id="saved">
      ${s.saved.map((f) => html`<li>${f.name} — ${kb(f.size)}</li>`)}
    </ul>`;
  },
});
