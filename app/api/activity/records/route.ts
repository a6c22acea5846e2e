import { createRecordsRoute } from "@/lib/activity/next";
import { activity } from "@/lib/activity-kit";

export const { GET } = createRecordsRoute(activity);
