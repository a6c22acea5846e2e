"use client";

import { createNoteAction, renameNoteAction } from "./actions";

/** Adds a note, or renames the note whose id is given: the two tracked actions, from a page. */
export function NoteForm() {
  return (
    <form
      action={async (data) => {
        const title = String(data.get("title") ?? "");
        const id = Number(data.get("id"));
        await (id ? renameNoteAction(id, title) : createNoteAction(title));
      }}
      className="flex gap-2"
    >
      <label htmlFor="note-id">Note id (to rename)</label>
      <input id="note-id" name="id" className="border" />
      <label htmlFor="note-title">Title</label>
      <input id="note-title" name="title" className="border" />
      <button type="submit">Save</button>
    </form>
  );
}
