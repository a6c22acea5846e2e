export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { registerActivity } = await import("@/lib/activity/next");
  const { activity } = await import("@/lib/activity-kit");
  await registerActivity(activity);
}
