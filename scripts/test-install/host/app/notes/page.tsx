import { NoteForm } from "./note-form";

export default function NotesPage() {
  return (
    <main className="p-8">
      <h1 className="text-2xl font-semibold">Notes</h1>
      <NoteForm />
    </main>
  );
}
