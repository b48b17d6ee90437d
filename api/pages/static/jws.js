// The ledger's keys (/.well-known/jwks.json) and the compact JWS it signs (docs/format.md
// sections 6.1 and 9.3): verification records and transcripts.

import { ed25519Verify, verifierOf } from "./ed25519.js";
import {
  decodeBase64,
  decodeBase64url,
  encodeBase64url,
  isObject,
  sha256,
  strictUtf8,
  utf8,
} from "./encoding.js";
import { CannotVerify, Damaged, Forged } from "./errors.js";
import { fetchJson } from "./fetching.js";
import { CERTIFICATE_SHAPE } from "./numbers.js";

const MAX_RECORD_LENGTH = 65536;
export const RECORD_TYPE = "certledger-record+jws";
export const TRANSCRIPT_TYPE = "certledger-transcript+jws";

export function webCryptoPresent() {
  return typeof crypto !== "undefined" && crypto.subtle !== undefined && window.isSecureContext;
}

// -- keys ---------------------------------------------------------------------------

/** The RFC 7638 thumbprint of an Ed25519 public JWK (docs/format.md section 6.1). */
async function thumbprint(x) {
  return encodeBase64url(await sha256(utf8.encode(`{"crv":"Ed25519","kty":"OKP","x":"${x}"}`)));
}

export { ed25519Verify };

/** The ledger's keys: every well-formed Ed25519 JWK whose kid is its thumbprint. */
export async function ledgerKeys() {
  const jwks = await fetchJson("/.well-known/jwks.json", ["账本公钥", "the ledger's keys"]);
  if (!isObject(jwks) || !Array.isArray(jwks.keys)) {
    throw new CannotVerify("log", "账本公钥集格式错误", "the ledger's key set is malformed");
  }
  const keys = new Map();
  for (const jwk of jwks.keys) {
    if (!isObject(jwk) || jwk.kty !== "OKP" || jwk.crv !== "Ed25519") continue;
    const raw = decodeBase64url(jwk.x);
    if (raw === null || raw.length !== 32) continue;
    if (jwk.kid !== (await thumbprint(jwk.x))) continue;
    keys.set(jwk.kid, { kid: jwk.kid, ...(await verifierOf(raw)) });
  }
  return keys;
}

// -- the compact JWS ------------------------------------------------------------------

const CUT = ["链接不完整或已损坏", "the link is incomplete or damaged"];

/**
 * The parts of a compact JWS. Damaged when it is not one at all (cut short or garbled on
 * the way: wrong number of parts, not base64url, a header that is not JSON, a signature
 * that is not 64 bytes); Forged when it is one this ledger never writes (another alg, no
 * kid, a crit member).
 */
export function parseCompact(token) {
  if (token.length === 0) throw new Damaged("链接中没有验证记录", "the link carries no record");
  if (token.length > MAX_RECORD_LENGTH) {
    throw new Forged("验证记录过长", "the record is too long");
  }
  const parts = token.split(".");
  if (parts.length !== 3) {
    throw new Damaged(
      `${CUT[0]}：验证记录应由三部分组成`,
      `${CUT[1]}: a record has three parts separated by '.'`,
    );
  }
  const [headerText, payloadText, signatureText] = parts;
  const headerBytes = decodeBase64url(headerText);
  if (headerBytes === null || headerBytes.length === 0) {
    throw new Damaged(`${CUT[0]}：记录头不是 base64url`, `${CUT[1]}: the header is not base64url`);
  }
  let header;
  try {
    header = JSON.parse(strictUtf8.decode(headerBytes));
  } catch {
    throw new Damaged(`${CUT[0]}：记录头不是 JSON`, `${CUT[1]}: the header is not JSON`);
  }
  const payload = decodeBase64url(payloadText);
  if (payload === null || payload.length === 0) {
    throw new Damaged(`${CUT[0]}：记录内容不是 base64url`, `${CUT[1]}: the payload is not base64url`);
  }
  const signature = decodeBase64url(signatureText);
  if (signature === null || signature.length !== 64) {
    throw new Damaged(
      `${CUT[0]}：签名不是 64 字节的 base64url`,
      `${CUT[1]}: the signature is not 64 bytes of base64url`,
    );
  }
  if (!isObject(header)) throw new Forged("记录头不是 JSON 对象", "the header is not a JSON object");
  if (header.alg !== "EdDSA") {
    throw new Forged("记录头的算法不是 EdDSA", "the header's alg is not EdDSA");
  }
  if (typeof header.kid !== "string" || header.kid.length === 0) {
    throw new Forged("记录头没有密钥标识 kid", "the header names no kid");
  }
  if ("crit" in header) throw new Forged("记录头含有 crit 成员", "the header has a crit member");
  return {
    kid: header.kid,
    typ: header.typ,
    payload,
    signature,
    signingInput: utf8.encode(`${headerText}.${payloadText}`),
  };
}

/** The `typ` of a compact JWS's header, or null when it has none that can be read. */
export function typeOf(token) {
  try {
    return parseCompact(token).typ ?? null;
  } catch {
    return null;
  }
}

/** Check the signature under the ledger key its kid names; Forged otherwise. */
export async function checkSignature(parsed, keys) {
  const signer = keys.get(parsed.kid);
  if (signer === undefined) {
    throw new Forged("记录不是由本账本的密钥签名的", "not signed by a key of this ledger");
  }
  if (!(await ed25519Verify(signer, parsed.signature, parsed.signingInput))) {
    throw new Forged("签名无效：记录已被改动或不是本账本签发的", "the signature does not verify");
  }
}

/** The signed JSON payload; Forged when it is not a JSON object. */
export function signedJson(bytes) {
  let value;
  try {
    value = JSON.parse(strictUtf8.decode(bytes));
  } catch {
    throw new Forged("记录内容不是 JSON", "the payload is not JSON");
  }
  if (!isObject(value)) throw new Forged("记录内容不是 JSON 对象", "the payload is not a JSON object");
  return value;
}

// -- the record (section 9.3) ---------------------------------------------------------

const REQUIRED_STRINGS = [
  "iss",
  "certificate",
  "standard",
  "standard_title",
  "level",
  "org",
  "org_name",
  "issued_on",
  "holder",
  "holder_commitment",
  "leaf_hash",
];

export function parsePayload(bytes) {
  const claims = signedJson(bytes);
  for (const name of REQUIRED_STRINGS) {
    if (typeof claims[name] !== "string" || claims[name].length === 0) {
      throw new Forged(`记录缺少 ${name}`, `the payload has no ${name}`);
    }
  }
  if (!Number.isSafeInteger(claims.index) || claims.index < 0) {
    throw new Forged("记录的条目序号无效", "the payload's index is not an entry index");
  }
  if (!CERTIFICATE_SHAPE.test(claims.certificate)) {
    throw new Forged("记录的证书编号格式错误", "the payload's certificate number is malformed");
  }
  const leafHash = decodeBase64(claims.leaf_hash);
  if (leafHash === null || leafHash.length !== 32) {
    throw new Forged("记录的叶哈希无效", "the payload's leaf_hash is not 32 bytes of base64");
  }
  return { claims, leafHash };
}

/** The checkpoint origin of a public URL (docs/format.md section 5.1). */
export function originOf(publicUrl) {
  try {
    const url = new URL(publicUrl);
    if (url.protocol !== "https:" && url.protocol !== "http:") return null;
    return url.host + url.pathname.replace(/\/+$/, "");
  } catch {
    return null;
  }
}
