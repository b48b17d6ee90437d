// The ledger's keys (/.well-known/jwks.json) and the verification record, a compact JWS
// signed with Ed25519 (docs/format.md sections 6.1 and 9.3), checked with WebCrypto.

import {
  decodeBase64,
  decodeBase64url,
  encodeBase64url,
  isObject,
  sha256,
  strictUtf8,
  utf8,
} from "./encoding.js";
import { CannotVerify, Forged } from "./errors.js";
import { fetchJson } from "./fetching.js";
import { CERTIFICATE_SHAPE } from "./numbers.js";

const MAX_RECORD_LENGTH = 16384;

export function webCryptoPresent() {
  return typeof crypto !== "undefined" && crypto.subtle !== undefined && window.isSecureContext;
}

// -- keys ---------------------------------------------------------------------------

/** The RFC 7638 thumbprint of an Ed25519 public JWK (docs/format.md section 6.1). */
async function thumbprint(x) {
  return encodeBase64url(await sha256(utf8.encode(`{"crv":"Ed25519","kty":"OKP","x":"${x}"}`)));
}

async function importKey(raw) {
  try {
    return await crypto.subtle.importKey(
      "jwk",
      { kty: "OKP", crv: "Ed25519", x: encodeBase64url(raw) },
      { name: "Ed25519" },
      false,
      ["verify"],
    );
  } catch {
    throw new CannotVerify(
      "browser",
      "此浏览器不支持 Ed25519 签名验证",
      "this browser cannot verify Ed25519 signatures",
    );
  }
}

export async function ed25519Verify(key, signature, message) {
  try {
    return await crypto.subtle.verify({ name: "Ed25519" }, key, signature, message);
  } catch {
    return false;
  }
}

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
    keys.set(jwk.kid, { kid: jwk.kid, raw, key: await importKey(raw) });
  }
  return keys;
}

// -- the record (section 9.3) ---------------------------------------------------------

export function parseRecord(token) {
  if (token.length === 0 || token.length > MAX_RECORD_LENGTH) {
    throw new Forged("验证记录为空或过长", "the record is empty or too long");
  }
  const parts = token.split(".");
  if (parts.length !== 3) {
    throw new Forged("验证记录应由三部分组成", "a record has three parts separated by '.'");
  }
  const [headerText, payloadText, signatureText] = parts;
  const headerBytes = decodeBase64url(headerText);
  if (headerBytes === null || headerBytes.length === 0) {
    throw new Forged("记录头不是 base64url", "the header is not base64url");
  }
  let header;
  try {
    header = JSON.parse(strictUtf8.decode(headerBytes));
  } catch {
    throw new Forged("记录头不是 JSON", "the header is not JSON");
  }
  if (!isObject(header)) throw new Forged("记录头不是 JSON 对象", "the header is not a JSON object");
  if (header.alg !== "EdDSA") {
    throw new Forged("记录头的算法不是 EdDSA", "the header's alg is not EdDSA");
  }
  if (typeof header.kid !== "string" || header.kid.length === 0) {
    throw new Forged("记录头没有密钥标识 kid", "the header names no kid");
  }
  if ("crit" in header) {
    throw new Forged("记录头含有 crit 成员", "the header has a crit member");
  }
  const payload = decodeBase64url(payloadText);
  if (payload === null || payload.length === 0) {
    throw new Forged("记录内容不是 base64url", "the payload is not base64url");
  }
  const signature = decodeBase64url(signatureText);
  if (signature === null || signature.length !== 64) {
    throw new Forged("签名不是 64 字节的 base64url", "the signature is not 64 bytes of base64url");
  }
  return {
    kid: header.kid,
    payload,
    signature,
    signingInput: utf8.encode(`${headerText}.${payloadText}`),
  };
}

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
  let claims;
  try {
    claims = JSON.parse(strictUtf8.decode(bytes));
  } catch {
    throw new Forged("记录内容不是 JSON", "the payload is not JSON");
  }
  if (!isObject(claims)) throw new Forged("记录内容不是 JSON 对象", "the payload is not a JSON object");
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
