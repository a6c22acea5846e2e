import { activity } from "@/lib/activity-kit";
import { createOperations } from "./operations";

/** The demo's operations on the app's database. */
export const operations = createOperations(activity);
