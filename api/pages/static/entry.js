// The record against its `certificate.issued` entry in the log (sections 2 and 9.2).

import { concatBytes, decodeBase64, equalBytes, isObject, sha256, strictUtf8 } from "./encoding.js";
import { CannotVerify, Forged } from "./errors.js";
import { fetchJson } from "./fetching.js";

/** Members of the `certificate.issued` payload that the record repeats. */
const ENTRY_MEMBERS = [
  "certificate",
  "standard",
  "level",
  "org",
  "issued_on",
  "holder",
  "holder_commitment",
];
const OPTIONAL_ENTRY_MEMBERS = ["assessment", "score"];

export async function checkEntry(claims, leafHash) {
  const index = claims.index;
  const page = await fetchJson(`/log/entries?start=${index}&end=${index + 1}`, [
    "账本条目",
    "the log's entry",
  ]);
  const entry = isObject(page) && Array.isArray(page.entries) ? page.entries[0] : undefined;
  const data = isObject(entry) && entry.index === index ? decodeBase64(entry.data) : null;
  if (data === null) {
    throw new CannotVerify("log", "账本条目格式错误", "the log's entry is malformed");
  }
  const mismatch = () =>
    new Forged("记录与账本中的条目不符", "the record does not match its entry in the log");
  const leaf = await sha256(concatBytes(Uint8Array.of(0x00), data));
  if (!equalBytes(leaf, leafHash)) throw mismatch();
  let decoded;
  try {
    decoded = JSON.parse(strictUtf8.decode(data));
  } catch {
    throw mismatch();
  }
  if (!isObject(decoded) || decoded.kind !== "certificate.issued" || !isObject(decoded.payload)) {
    throw mismatch();
  }
  const payload = decoded.payload;
  for (const name of ENTRY_MEMBERS) {
    if (payload[name] !== claims[name]) throw mismatch();
  }
  for (const name of OPTIONAL_ENTRY_MEMBERS) {
    if (payload[name] !== claims[name]) throw mismatch();
  }
}
