/** What an attack spec tried: requests, the statuses seen, and the leaks found, printed as one line. */
export class Tally {
  requests = 0;
  readonly statuses = new Map<number, number>();
  readonly leaks: string[] = [];

  constructor(readonly name: string) {}

  saw(status: number) {
    this.requests++;
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
  }

  /** Records a leak when `text` carries any of `secrets`; returns the ones found. */
  leakCheck(where: string, text: string, secrets: readonly string[]): string[] {
    const found = secrets.filter((s) => text.includes(s));
    for (const s of found) this.leaks.push(`${where}: ${s}`);
    return found;
  }

  line(extra = ""): string {
    const statuses = [...this.statuses.entries()]
      .sort(([a], [b]) => a - b)
      .map(([s, n]) => `${s}×${n}`)
      .join(" ");
    return `attack ${this.name}: ${this.requests} requests, statuses ${statuses || "none"}, ${this.leaks.length} leaks${extra ? `, ${extra}` : ""}`;
  }
}
