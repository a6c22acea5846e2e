import { FeedSkeleton } from "@/components/activity/feed-skeleton";
import { Card } from "@/components/ui/card";

export default function ActivityLoading() {
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Activity</h1>
        <div className="mt-2.5 h-3.5 w-80 max-w-full animate-pulse rounded bg-neutral-200" />
      </div>
      <Card className="h-[5.75rem] p-4" aria-hidden="true">
        <div className="grid h-full animate-pulse gap-3 sm:grid-cols-[1fr_1fr_1fr_12rem]">
          {[0, 1, 2, 3].map((i) => (
            <div key={i} className="mt-auto h-9 rounded-md bg-neutral-100" />
          ))}
        </div>
      </Card>
      <FeedSkeleton />
    </div>
  );
}
