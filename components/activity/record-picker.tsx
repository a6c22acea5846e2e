"use client";

import { type KeyboardEvent, useEffect, useId, useLayoutEffect, useRef, useState } from "react";
import { flushSync } from "react-dom";
import { Input } from "@/components/ui/input";
import type { FoundRecord } from "@/lib/activity";
import { cn } from "@/lib/utils";

/** A record key typed as such (`note:42`): taken as it is, for those who know it. */
const RECORD_KEY = /^[a-z][a-z0-9_]*:[^\s:]+$/;
/** How long typing must pause before the search runs. */
const DEBOUNCE_MS = 200;
const UNCHOSEN = "Choose a record from the list, or clear the field.";

type Search =
  | { state: "idle" }
  | { state: "loading"; q: string; records: FoundRecord[] }
  | { state: "done"; q: string; records: FoundRecord[] }
  | { state: "failed"; q: string; message: string };

/**
 * The record filter as a combobox (the ARIA 1.2 pattern, list autocomplete): typing searches the
 * workspace's records by name (`GET /api/activity/records`, deleted records too), arrows move through the
 * matches, Enter or a click picks one and submits the form, Escape closes the list (and, closed, clears the
 * field). The form gets the record's key (`note:42`) from a hidden field named `name`; a key typed as such
 * is taken as it is. A name typed but not picked holds the form back with a message.
 */
export function RecordPicker({
  id,
  name = "record",
  defaultValue,
  defaultLabel,
  type,
  endpoint = "/api/activity/records",
  placeholder = "Search by name",
  submitOnPick = true,
  ...aria
}: {
  id: string;
  name?: string;
  /** The record key the form holds to begin with (the URL's). */
  defaultValue?: string;
  /** That record's name, shown in the field (else the key). */
  defaultLabel?: string | null;
  /** Only records of this type. */
  type?: string;
  /** The record search route. */
  endpoint?: string;
  placeholder?: string;
  /** Submit the form when a record is picked (the filter applies at once). */
  submitOnPick?: boolean;
  "aria-invalid"?: boolean;
  "aria-describedby"?: string;
}) {
  const initialText = defaultLabel || defaultValue || "";
  const [text, setText] = useState(initialText);
  const [value, setValue] = useState(defaultValue ?? "");
  // Typed by hand since the last pick (the URL's value stands as it is).
  const [typed, setTyped] = useState(false);
  const [search, setSearch] = useState<Search>({ state: "idle" });
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const inputRef = useRef<HTMLInputElement>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const inflight = useRef<AbortController | null>(null);
  const listId = useId();
  const statusId = useId();

  const records = search.state === "done" || search.state === "loading" ? search.records : [];
  const expanded = open && records.length > 0;
  const unchosen = typed && text.trim() !== "" && value === "";

  useLayoutEffect(() => {
    inputRef.current?.setCustomValidity(unchosen ? UNCHOSEN : "");
  }, [unchosen]);

  // A form reset (its Clear button) puts back what the URL said.
  useEffect(() => {
    const form = inputRef.current?.form;
    if (!form) return;
    const reset = () => {
      setText(initialText);
      setValue(defaultValue ?? "");
      setTyped(false);
      setOpen(false);
    };
    form.addEventListener("reset", reset);
    return () => form.removeEventListener("reset", reset);
  }, [initialText, defaultValue]);

  useEffect(
    () => () => {
      clearTimeout(timer.current);
      inflight.current?.abort();
    },
    [],
  );

  function runSearch(q: string) {
    inflight.current?.abort();
    const controller = new AbortController();
    inflight.current = controller;
    const query = new URLSearchParams({ q });
    if (type) query.set("type", type);
    setSearch((s) => ({ state: "loading", q, records: s.state === "done" || s.state === "loading" ? s.records : [] }));
    fetch(`${endpoint}?${query}`, { signal: controller.signal, headers: { Accept: "application/json" } })
      .then(async (response) => {
        const body = (await response.json().catch(() => null)) as {
          records?: FoundRecord[];
          error?: { message?: string };
        } | null;
        if (!response.ok || !body?.records) {
          throw new Error(body?.error?.message ?? `The search failed (HTTP ${response.status}).`);
        }
        return body.records;
      })
      .then(
        (found) => {
          if (controller.signal.aborted) return;
          setSearch({ state: "done", q, records: found });
          setActive(-1);
        },
        (error: unknown) => {
          if (controller.signal.aborted) return;
          setSearch({ state: "failed", q, message: error instanceof Error ? error.message : String(error) });
        },
      );
  }

  function onChange(next: string) {
    setText(next);
    setTyped(true);
    const trimmed = next.trim();
    setValue(RECORD_KEY.test(trimmed) ? trimmed : "");
    setActive(-1);
    clearTimeout(timer.current);
    if (!trimmed) {
      inflight.current?.abort();
      setSearch({ state: "idle" });
      setOpen(false);
      return;
    }
    setOpen(true);
    timer.current = setTimeout(() => runSearch(trimmed), DEBOUNCE_MS);
  }

  function choose(record: FoundRecord) {
    clearTimeout(timer.current);
    flushSync(() => {
      setText(record.label);
      setValue(`${record.type}:${record.id}`);
      setTyped(false);
      setOpen(false);
      setActive(-1);
    });
    const input = inputRef.current;
    input?.setCustomValidity("");
    if (submitOnPick) input?.form?.requestSubmit();
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    switch (event.key) {
      case "ArrowDown":
      case "ArrowUp": {
        if (records.length === 0) return;
        event.preventDefault();
        if (!open) {
          setOpen(true);
          setActive(event.key === "ArrowDown" ? 0 : records.length - 1);
          return;
        }
        const step = event.key === "ArrowDown" ? 1 : -1;
        setActive((i) => {
          const next = i + step;
          return next < 0 ? records.length - 1 : next >= records.length ? 0 : next;
        });
        return;
      }
      case "Enter": {
        const record = expanded && active >= 0 ? records[active] : undefined;
        if (record) {
          event.preventDefault();
          choose(record);
        }
        // Otherwise the form submits (a key typed as such, or the field left as it was).
        return;
      }
      case "Escape": {
        if (expanded || open) {
          event.preventDefault();
          setOpen(false);
          setActive(-1);
        } else if (text) {
          event.preventDefault();
          onChange("");
        }
        return;
      }
      default:
    }
  }

  const status =
    !open || search.state === "idle"
      ? ""
      : search.state === "failed"
        ? search.message
        : search.state === "loading" && records.length === 0
          ? "Searching…"
          : search.state === "done" && records.length === 0
            ? `No record matches “${search.q}”.`
            : search.state === "done"
              ? `${records.length} ${records.length === 1 ? "record" : "records"} found: arrows to move, Enter to pick.`
              : "";

  return (
    <div className="relative">
      <Input
        ref={inputRef}
        id={id}
        type="text"
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={expanded}
        aria-controls={expanded ? listId : undefined}
        aria-activedescendant={expanded && active >= 0 ? `${listId}-${active}` : undefined}
        aria-invalid={aria["aria-invalid"] || undefined}
        aria-describedby={[aria["aria-describedby"], statusId].filter(Boolean).join(" ")}
        value={text}
        placeholder={placeholder}
        autoComplete="off"
        spellCheck={false}
        onChange={(event) => onChange(event.target.value)}
        onKeyDown={onKeyDown}
        onFocus={() => {
          if (typed && text.trim()) setOpen(true);
        }}
        onBlur={() => setOpen(false)}
      />
      <input type="hidden" name={name} value={value} />
      {expanded ? (
        <div
          id={listId}
          role="listbox"
          aria-label="Matches"
          className="absolute top-full left-0 z-20 mt-1 max-h-72 w-max min-w-full max-w-[min(28rem,calc(100vw-3rem))] overflow-auto rounded-md border border-border bg-card py-1 text-sm shadow-md"
        >
          {records.map((record, i) => (
            // biome-ignore lint/a11y/useKeyWithClickEvents: the keys are the field's (aria-activedescendant)
            <div
              key={`${record.type}:${record.id}`}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === active}
              tabIndex={-1}
              className={cn(
                "flex cursor-pointer items-baseline justify-between gap-3 px-3 py-1.5",
                i === active ? "bg-muted" : "hover:bg-muted/60",
              )}
              // Keep the focus in the field: a click picks without a blur first.
              onMouseDown={(event) => event.preventDefault()}
              onClick={() => choose(record)}
            >
              <span className="truncate">{record.label}</span>
              <span className="shrink-0 text-xs text-muted-foreground">
                {record.type} {record.id}
              </span>
            </div>
          ))}
        </div>
      ) : null}
      <p
        id={statusId}
        role="status"
        className={cn("text-xs text-muted-foreground", status && !expanded ? "mt-1" : "sr-only")}
      >
        {status}
      </p>
    </div>
  );
}
