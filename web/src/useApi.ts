// Loads one API resource for a page, with a reload for after a write.
import { useCallback, useEffect, useState } from "react";
import { api, ApiError } from "./api";

export type Loaded<T> = { state: "loading" } | { state: "error"; error: ApiError | Error } | { state: "ok"; data: T };

export function useApi<T>(path: string | null): [Loaded<T>, () => void] {
  const [result, setResult] = useState<Loaded<T>>({ state: "loading" });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!path) return;
    let live = true;
    setResult((r) => (r.state === "ok" ? r : { state: "loading" }));
    api.get<T>(path).then(
      (data) => live && setResult({ state: "ok", data }),
      (error: unknown) => live && setResult({ state: "error", error: error instanceof Error ? error : new Error(String(error)) }),
    );
    return () => {
      live = false;
    };
  }, [path, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return [result, reload];
}
