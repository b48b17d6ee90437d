// The log's signed checkpoint: a C2SP signed note (docs/format.md section 5).

import { concatBytes, decodeBase64, equalBytes, sha256, strictUtf8, utf8 } from "./encoding.js";
import { CannotVerify } from "./errors.js";
import { fetchFromLedger } from "./fetching.js";
import { ed25519Verify } from "./jws.js";

const DECIMAL = /^(0|[1-9][0-9]*)$/;

async function keyHash(name, raw) {
  const digest = await sha256(concatBytes(utf8.encode(name), Uint8Array.of(0x0a, 0x01), raw));
  return digest.slice(0, 4);
}

export async function verifiedCheckpoint(keys) {
  const what = ["账本检查点", "the log's checkpoint"];
  const response = await fetchFromLedger("/log/checkpoint", what);
  if (!response.ok) {
    throw new CannotVerify(
      "unavailable",
      `获取账本检查点失败（HTTP ${response.status}）`,
      `fetching the log's checkpoint failed (HTTP ${response.status})`,
    );
  }
  const malformed = () =>
    new CannotVerify("log", "账本的检查点格式错误", "the log's checkpoint is malformed");
  let note;
  try {
    note = strictUtf8.decode(new Uint8Array(await response.arrayBuffer()));
  } catch {
    throw malformed();
  }
  const split = note.lastIndexOf("\n\n");
  if (split < 0 || !note.endsWith("\n")) throw malformed();
  const body = note.slice(0, split + 1);
  const lines = body.slice(0, -1).split("\n");
  if (lines.length < 3 || !DECIMAL.test(lines[1])) throw malformed();
  const [origin, sizeText, rootText] = lines;
  const size = Number(sizeText);
  const root = decodeBase64(rootText);
  if (origin.length === 0 || !Number.isSafeInteger(size) || root === null || root.length !== 32) {
    throw malformed();
  }
  const known = [];
  for (const entry of keys.values()) known.push({ ...entry, hash: await keyHash(origin, entry.raw) });
  const signed = utf8.encode(body);
  let verified = 0;
  for (const line of note.slice(split + 2, -1).split("\n")) {
    const match = /^\u2014 ([^ ]+) ([A-Za-z0-9+/=]+)$/.exec(line);
    if (match === null) throw malformed();
    const [, name, encoded] = match;
    const bytes = decodeBase64(encoded);
    if (bytes === null || bytes.length < 5) throw malformed();
    if (name !== origin) continue;
    const signer = known.find((candidate) => equalBytes(candidate.hash, bytes.slice(0, 4)));
    if (signer === undefined) continue;
    const signature = bytes.slice(4);
    if (signature.length !== 64 || !(await ed25519Verify(signer, signature, signed))) {
      throw new CannotVerify("log", "账本的检查点签名无效", "the log's checkpoint does not verify");
    }
    verified += 1;
  }
  if (verified === 0) {
    throw new CannotVerify(
      "log",
      "账本的检查点没有本账本密钥的签名",
      "the log's checkpoint is not signed by a key of this ledger",
    );
  }
  return { origin, size, root, rootText };
}
