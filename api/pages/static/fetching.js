// Same-origin fetches from the ledger; a failure is never the record's fault.

import { CannotVerify } from "./errors.js";

export async function fetchFromLedger(path, what, init = {}) {
  try {
    return await fetch(path, {
      cache: "no-store",
      credentials: "same-origin",
      redirect: "error",
      ...init,
    });
  } catch {
    throw new CannotVerify("unavailable", `无法获取${what[0]}`, `cannot fetch ${what[1]}`);
  }
}

export async function fetchJson(path, what) {
  const response = await fetchFromLedger(path, what, { headers: { Accept: "application/json" } });
  if (!response.ok) {
    throw new CannotVerify(
      "unavailable",
      `获取${what[0]}失败（HTTP ${response.status}）`,
      `fetching ${what[1]} failed (HTTP ${response.status})`,
    );
  }
  try {
    return await response.json();
  } catch {
    throw new CannotVerify("unavailable", `${what[0]}不是 JSON`, `${what[1]} is not JSON`);
  }
}
