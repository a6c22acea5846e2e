export function NotAllowed({ what }: { what: string }) {
  return (
    <div className="mx-auto max-w-md py-16 text-center">
      <h1 className="text-2xl font-semibold">Not allowed</h1>
      <p className="mt-2 text-muted-foreground">
        {what} is for workspace admins. Ask an admin of this workspace if you need access.
      </p>
    </div>
  );
}
