export const DEMO_PASSWORD = "demo-password";

export const DEMO_ACCOUNTS = [
  { email: "alice@acme.test", name: "Alice Adams", workspace: "Acme", role: "admin" },
  { email: "bob@acme.test", name: "Bob Brown", workspace: "Acme", role: "member" },
  { email: "carol@globex.test", name: "Carol Chen", workspace: "Globex", role: "admin" },
] as const;
