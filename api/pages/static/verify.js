// The verification page (docs/format.md section 9.4), checked in the browser with WebCrypto.
//
// `#r=<record>`: the compact JWS record's signature under a key of /.well-known/jwks.json,
// the log's signed checkpoint (/log/checkpoint), the record's inclusion proof against it
// (/log/proof/inclusion) and the certificate's status (/certificates/{n}/status).
// `?certificate=<number>`: the status alone. Two forms: look up by number and full name
// (POST /lookup), and paste a record.
//
// The record is attacker-controlled: nothing from it, from the URL or from a response is
// ever parsed as HTML. Every value reaches the page through textContent.

const MAX_RECORD_LENGTH = 16384;
const CERTIFICATE_SHAPE = /^X[0-9]{15}$/;
const BASE64URL = /^[A-Za-z0-9_-]*$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const DECIMAL = /^(0|[1-9][0-9]*)$/;
const EM_DASH = "\u2014";

const VERDICTS = {
  valid: {
    word: ["有效", "Valid"],
    explanation: [
      "签名有效,记录在账本中,证书未被撤销。",
      "The signature verifies, the entry is in the log, and the certificate is not revoked.",
    ],
  },
  revoked: {
    word: ["已撤销", "Revoked"],
    explanation: ["此证书已被撤销。", "This certificate has been revoked."],
  },
  unknown: {
    word: ["未知", "Unknown"],
    explanation: [
      "账本中没有此编号的证书。",
      "The ledger holds no certificate with this number.",
    ],
  },
  forged: {
    word: ["伪造或被篡改", "Forged or altered"],
    explanation: [
      "此验证记录不是本账本签发的,或已被改动。请勿信任。",
      "This record was not issued by this ledger, or it has been changed. Do not trust it.",
    ],
  },
  checking: {
    word: ["正在验证…", "Checking…"],
    explanation: ["请稍候。", "Please wait."],
  },
};

const ERRORS = {
  log: {
    word: ["无法验证账本", "Cannot verify the log"],
    explanation: [
      "账本的签名检查点无法验证,因此无法确认此记录。这不说明记录是伪造的;请稍后再试或联系账本运营方。",
      "The log's signed checkpoint does not verify, so this record cannot be confirmed. " +
        "That does not mean the record is forged; try again later or contact the ledger's operator.",
    ],
  },
  unavailable: {
    word: ["暂时无法验证", "Cannot verify right now"],
    explanation: [
      "无法从账本获取验证所需的数据,请稍后再试。",
      "The data needed to verify could not be fetched from the ledger; try again later.",
    ],
  },
  browser: {
    word: ["此浏览器无法验证", "This browser cannot verify"],
    explanation: [
      "验证需要支持 Ed25519 WebCrypto 的浏览器并通过 HTTPS 访问。请更新浏览器后再试。",
      "Verifying needs a browser with Ed25519 WebCrypto, over HTTPS. Update your browser and try again.",
    ],
  },
  bug: {
    word: ["验证出错", "Verification failed"],
    explanation: [
      "页面在验证时出错,请稍后再试。",
      "The page failed while verifying; try again later.",
    ],
  },
};

const LEVELS = {
  junior: ["初级", "Junior"],
  intermediate: ["中级", "Intermediate"],
  senior: ["高级", "Senior"],
};

const CHECKS = {
  format: ["记录格式正确", "The record is well formed"],
  signature: ["签名由本账本的密钥验证", "The signature verifies under a key of this ledger"],
  checkpoint: ["账本的检查点签名有效", "The log's checkpoint signature verifies"],
  inclusion: [
    "包含证明已对照签名检查点验证",
    "Inclusion proof verified against signed checkpoint",
  ],
  entry: ["记录与账本中的条目一致", "The record matches its entry in the log"],
  status: ["已查询撤销状态", "Revocation status checked"],
};

// -- outcomes -----------------------------------------------------------------------

/** A fault of the record: the verdict is `forged`. */
class Forged extends Error {
  constructor(zh, en) {
    super(en);
    this.zh = zh;
    this.en = en;
  }
}

/** Not the record's fault: the log, the network or the browser; shown as an error state. */
class CannotVerify extends Error {
  constructor(kind, zh, en) {
    super(en);
    this.kind = kind;
    this.zh = zh;
    this.en = en;
  }
}

// -- bytes --------------------------------------------------------------------------

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

function concatBytes(...parts) {
  const out = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function equalBytes(a, b) {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i] ^ b[i];
  return difference === 0;
}

function encodeBase64(bytes) {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function encodeBase64url(bytes) {
  return encodeBase64(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function binaryToBytes(binary) {
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** Canonical unpadded base64url (RFC 7515 section 2); null when it is not. */
function decodeBase64url(text) {
  if (typeof text !== "string" || !BASE64URL.test(text) || text.length % 4 === 1) return null;
  const standard = text.replace(/-/g, "+").replace(/_/g, "/");
  let bytes;
  try {
    bytes = binaryToBytes(atob(standard + "=".repeat((4 - (standard.length % 4)) % 4)));
  } catch {
    return null;
  }
  return encodeBase64url(bytes) === text ? bytes : null;
}

/** Canonical padded standard base64 (RFC 4648 section 4); null when it is not. */
function decodeBase64(text) {
  if (typeof text !== "string" || !BASE64.test(text) || text.length % 4 !== 0) return null;
  let bytes;
  try {
    bytes = binaryToBytes(atob(text));
  } catch {
    return null;
  }
  return encodeBase64(bytes) === text ? bytes : null;
}

async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
}

function isObject(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function webCryptoPresent() {
  return typeof crypto !== "undefined" && crypto.subtle !== undefined && window.isSecureContext;
}

// -- fetching -----------------------------------------------------------------------

async function fetchFromLedger(path, what, init = {}) {
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

async function fetchJson(path, what) {
  const response = await fetchFromLedger(path, what, { headers: { Accept: "application/json" } });
  if (!response.ok) {
    throw new CannotVerify(
      "unavailable",
      `获取${what[0]}失败(HTTP ${response.status})`,
      `fetching ${what[1]} failed (HTTP ${response.status})`,
    );
  }
  try {
    return await response.json();
  } catch {
    throw new CannotVerify("unavailable", `${what[0]}不是 JSON`, `${what[1]} is not JSON`);
  }
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

async function ed25519Verify(key, signature, message) {
  try {
    return await crypto.subtle.verify({ name: "Ed25519" }, key, signature, message);
  } catch {
    return false;
  }
}

/** The ledger's keys: every well-formed Ed25519 JWK whose kid is its thumbprint. */
async function ledgerKeys() {
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

function parseRecord(token) {
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

function parsePayload(bytes) {
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
function originOf(publicUrl) {
  try {
    const url = new URL(publicUrl);
    if (url.protocol !== "https:" && url.protocol !== "http:") return null;
    return url.host + url.pathname.replace(/\/+$/, "");
  } catch {
    return null;
  }
}

// -- the checkpoint (section 5) -------------------------------------------------------

async function keyHash(name, raw) {
  const digest = await sha256(concatBytes(utf8.encode(name), Uint8Array.of(0x0a, 0x01), raw));
  return digest.slice(0, 4);
}

async function verifiedCheckpoint(keys) {
  const what = ["账本检查点", "the log's checkpoint"];
  const response = await fetchFromLedger("/log/checkpoint", what);
  if (!response.ok) {
    throw new CannotVerify(
      "unavailable",
      `获取账本检查点失败(HTTP ${response.status})`,
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
    if (signature.length !== 64 || !(await ed25519Verify(signer.key, signature, signed))) {
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

// -- the inclusion proof (RFC 9162 section 2.1.3.2) -----------------------------------

async function nodeHash(left, right) {
  return sha256(concatBytes(Uint8Array.of(0x01), left, right));
}

async function rootFromInclusionProof(index, size, leafHash, path) {
  if (index >= size) return null;
  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  for (const p of path) {
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : null;
}

async function checkInclusion(index, leafHash, checkpoint) {
  const notInLog = () =>
    new Forged("记录对应的条目不在账本中", "the record's entry is not in the log");
  if (index >= checkpoint.size) throw notInLog();
  const proof = await fetchJson(
    `/log/proof/inclusion?index=${index}&size=${checkpoint.size}`,
    ["包含证明", "the inclusion proof"],
  );
  const malformed = new CannotVerify("log", "账本的包含证明格式错误", "the log's inclusion proof is malformed");
  if (!isObject(proof) || proof.index !== index || proof.tree_size !== checkpoint.size) {
    throw malformed;
  }
  if (!Array.isArray(proof.hashes)) throw malformed;
  const path = proof.hashes.map(decodeBase64);
  if (path.some((hash) => hash === null || hash.length !== 32)) throw malformed;
  const served = decodeBase64(proof.leaf_hash);
  if (served === null || !equalBytes(served, leafHash)) {
    throw new Forged(
      `账本第 ${index} 条不是此记录的条目`,
      `the log's entry ${index} is not the record's entry`,
    );
  }
  const root = await rootFromInclusionProof(index, checkpoint.size, leafHash, path);
  if (root === null || !equalBytes(root, checkpoint.root)) throw notInLog();
}

// -- the entry (sections 2 and 9.2) ---------------------------------------------------

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

async function checkEntry(claims, leafHash) {
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

// -- the status -----------------------------------------------------------------------

function luhnValid(digits) {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let digit = digits.charCodeAt(i) - 48;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return sum % 10 === 0;
}

function wellFormedNumber(number) {
  return CERTIFICATE_SHAPE.test(number) && luhnValid(number.slice(1));
}

function checkStatusShape(status, certificate) {
  if (
    !isObject(status) ||
    status.certificate !== certificate ||
    !["valid", "revoked", "unknown"].includes(status.status)
  ) {
    throw new CannotVerify("unavailable", "账本返回的证书状态格式错误", "the ledger's status answer is malformed");
  }
  return status;
}

async function fetchStatus(certificate) {
  const status = await fetchJson(`/certificates/${encodeURIComponent(certificate)}/status`, [
    "证书状态",
    "the certificate's status",
  ]);
  return checkStatusShape(status, certificate);
}

// -- verification -------------------------------------------------------------------

function newOutcome(mode) {
  return {
    mode,
    verdict: "checking",
    error: null,
    reason: null,
    checks: [],
    certificate: null,
    revocation: null,
    proof: [],
  };
}

function check(outcome, name, passed) {
  outcome.checks.push({ name, outcome: passed ? "pass" : "fail" });
}

function textValue(value) {
  return typeof value === "string" && value.length > 0 ? value : null;
}

function certificateFactsFromClaims(claims) {
  const facts = [
    [["证书编号", "Certificate number"], claims.certificate, "mono-value"],
    [["职业技能等级标准", "Standard"], `${claims.standard_title}(${claims.standard})`],
    [["等级", "Level"], levelText(claims.level)],
    [["发证组织", "Issuing organization"], `${claims.org_name}(${claims.org})`],
    [["发证日期", "Issued on"], claims.issued_on],
    [["持证人", "Holder"], claims.holder],
  ];
  if (textValue(claims.assessment) !== null) {
    facts.push([["考核", "Assessment"], claims.assessment]);
  }
  if (typeof claims.score === "number" || typeof claims.score === "string") {
    facts.push([["成绩", "Score"], String(claims.score)]);
  }
  return facts;
}

function certificateFactsFromStatus(status) {
  const facts = [[["证书编号", "Certificate number"], status.certificate, "mono-value"]];
  const standard = textValue(status.standard);
  const title = textValue(status.standard_title);
  if (standard !== null || title !== null) {
    facts.push([
      ["职业技能等级标准", "Standard"],
      title !== null && standard !== null ? `${title}(${standard})` : (title ?? standard),
    ]);
  }
  if (textValue(status.level) !== null) facts.push([["等级", "Level"], levelText(status.level)]);
  const org = textValue(status.org);
  const orgName = textValue(status.org_name);
  if (org !== null || orgName !== null) {
    facts.push([
      ["发证组织", "Issuing organization"],
      orgName !== null && org !== null ? `${orgName}(${org})` : (orgName ?? org),
    ]);
  }
  if (textValue(status.issued_on) !== null) facts.push([["发证日期", "Issued on"], status.issued_on]);
  if (Number.isSafeInteger(status.index)) {
    facts.push([["账本条目序号", "Ledger entry index"], String(status.index), "mono-value"]);
  }
  return facts;
}

function revocationFacts(status) {
  return [
    [["撤销日期", "Revoked on"], textValue(status.revoked_on) ?? "—"],
    [["撤销原因", "Reason"], textValue(status.revocation_reason) ?? "—"],
  ];
}

function levelText(level) {
  const names = LEVELS[level];
  return names === undefined ? String(level) : `${names[0]} ${names[1]}`;
}

async function verifyRecord(token) {
  const outcome = newOutcome("record");
  let step = "format";
  try {
    if (!webCryptoPresent()) {
      throw new CannotVerify(
        "browser",
        "此页面需通过 HTTPS 在支持 WebCrypto 的浏览器中打开",
        "this page needs HTTPS and a browser with WebCrypto",
      );
    }
    const record = parseRecord(token);

    step = "signature";
    const keys = await ledgerKeys();
    const signer = keys.get(record.kid);
    if (signer === undefined) {
      throw new Forged("记录不是由本账本的密钥签名的", "not signed by a key of this ledger");
    }
    if (!(await ed25519Verify(signer.key, record.signature, record.signingInput))) {
      throw new Forged("签名无效:记录已被改动或不是本账本签发的", "the signature does not verify");
    }
    check(outcome, "signature", true);

    step = "format";
    const { claims, leafHash } = parsePayload(record.payload);
    check(outcome, "format", true);
    outcome.certificate = certificateFactsFromClaims(claims);
    outcome.proof.push(
      [["签名密钥", "Signing key (kid)"], record.kid],
      [["签发账本", "Issuer"], claims.iss],
      [["账本条目序号", "Entry index"], String(claims.index)],
      [["叶哈希", "Leaf hash"], claims.leaf_hash],
      [["持有人承诺", "Holder commitment"], claims.holder_commitment],
    );

    step = "checkpoint";
    const checkpoint = await verifiedCheckpoint(keys);
    check(outcome, "checkpoint", true);
    outcome.proof.push(
      [["检查点来源", "Checkpoint origin"], checkpoint.origin],
      [["检查点大小", "Checkpoint size"], String(checkpoint.size)],
      [["检查点根哈希", "Checkpoint root"], checkpoint.rootText],
    );

    step = "inclusion";
    if (originOf(claims.iss) !== checkpoint.origin) {
      throw new Forged("记录由另一个账本签发(iss 与检查点来源不符)", "the record names another ledger as its issuer");
    }
    await checkInclusion(claims.index, leafHash, checkpoint);
    check(outcome, "inclusion", true);

    step = "entry";
    await checkEntry(claims, leafHash);
    check(outcome, "entry", true);

    step = "status";
    const status = await fetchStatus(claims.certificate);
    if (Number.isSafeInteger(status.index) && status.index !== claims.index) {
      throw new Forged(
        "账本记载此证书的条目不是记录中的条目",
        "the ledger records this certificate at another entry",
      );
    }
    check(outcome, "status", true);
    outcome.verdict = status.status;
    if (status.status === "revoked") outcome.revocation = revocationFacts(status);
  } catch (error) {
    settleFailure(outcome, step, error);
  }
  return outcome;
}

async function statusOnly(number) {
  const outcome = newOutcome("status");
  try {
    if (!wellFormedNumber(number)) {
      outcome.verdict = "unknown";
      outcome.reason = [
        "这不是有效的证书编号(应为 X 加 15 位数字,校验位须正确)",
        "not a well-formed certificate number (X and 15 digits with a valid check digit)",
      ];
      outcome.certificate = [[["证书编号", "Certificate number"], number, "mono-value"]];
      return outcome;
    }
    const status = await fetchStatus(number);
    outcome.verdict = status.status;
    outcome.certificate = certificateFactsFromStatus(status);
    if (status.status === "revoked") outcome.revocation = revocationFacts(status);
  } catch (error) {
    settleFailure(outcome, null, error);
  }
  return outcome;
}

function settleFailure(outcome, step, error) {
  if (step !== null) check(outcome, step, false);
  if (error instanceof Forged) {
    outcome.verdict = "forged";
    outcome.reason = [error.zh, error.en];
    // Claims that did not survive verification are not shown as facts.
    outcome.certificate = null;
    outcome.proof = [];
  } else if (error instanceof CannotVerify) {
    outcome.verdict = "error";
    outcome.error = error.kind;
    outcome.reason = [error.zh, error.en];
    // Not confirmed by the log: the facts stay unshown.
    outcome.certificate = null;
  } else {
    console.error("verification failed unexpectedly", error);
    outcome.verdict = "error";
    outcome.error = "bug";
    outcome.reason = ["意外错误", String(error?.message ?? error)];
  }
}

// -- rendering ------------------------------------------------------------------------

const $ = (id) => document.getElementById(id);

function bilingual(element, zh, en) {
  element.replaceChildren(document.createTextNode(`${zh} `));
  const english = document.createElement("span");
  english.lang = "en";
  english.textContent = en;
  element.append(english);
  return element;
}

function renderFacts(list, facts) {
  const items = [];
  for (const [[zh, en], value, className] of facts) {
    const term = bilingual(document.createElement("dt"), zh, en);
    const detail = document.createElement("dd");
    detail.textContent = value;
    if (className) detail.className = className;
    items.push(term, detail);
  }
  list.replaceChildren(...items);
}

function showSection(id, facts) {
  const section = $(id);
  if (facts === null || facts.length === 0) {
    section.hidden = true;
    return;
  }
  renderFacts($(`${id}-facts`), facts);
  section.hidden = false;
}

function showBanner(verdict, error, reason, explanation) {
  const banner = $("verdict");
  const texts = verdict === "error" ? ERRORS[error ?? "bug"] : VERDICTS[verdict];
  banner.dataset.verdict = verdict;
  if (error) banner.dataset.error = error;
  else delete banner.dataset.error;
  const word = $("verdict-word");
  word.textContent = `${texts.word[0]} ${texts.word[1]}`;
  const [zh, en] = explanation ?? texts.explanation;
  bilingual($("verdict-explanation"), zh, en);
  const reasonLine = $("verdict-reason");
  if (reason) {
    bilingual(reasonLine, `原因:${reason[0]}`, `Reason: ${reason[1]}`);
    reasonLine.hidden = false;
  } else {
    reasonLine.replaceChildren();
    reasonLine.hidden = true;
  }
  banner.hidden = false;
  document.title = `${texts.word[0]} ${texts.word[1]} · 证书验证 Certificate verification`;
}

function showChecking() {
  showBanner("checking", null, null, null);
  $("certificate").hidden = true;
  $("revocation").hidden = true;
  $("proof").hidden = true;
}

function showOutcome(outcome) {
  let explanation = null;
  if (outcome.mode !== "record" && outcome.verdict === "valid") {
    explanation = [
      "账本记载此证书有效(仅查询了状态,未验证验证记录)。",
      "The ledger records this certificate as valid (status only: no record was checked).",
    ];
  }
  showBanner(outcome.verdict, outcome.error, outcome.reason, explanation);
  showSection("certificate", outcome.certificate);
  showSection("revocation", outcome.revocation);

  const proof = $("proof");
  if (outcome.mode !== "record") {
    proof.hidden = true;
    return;
  }
  const items = [];
  const done = new Set(outcome.checks.map((entry) => entry.name));
  for (const [name, [zh, en]] of Object.entries(CHECKS)) {
    const item = bilingual(document.createElement("li"), zh, en);
    item.dataset.check = name;
    const entry = outcome.checks.find((candidate) => candidate.name === name);
    item.dataset.outcome = entry ? entry.outcome : "skip";
    if (!done.has(name)) item.classList.add("not-run");
    items.push(item);
  }
  $("proof-checks").replaceChildren(...items);
  renderFacts($("proof-facts"), outcome.proof);
  proof.hidden = false;
}

// -- the page -------------------------------------------------------------------------

let generation = 0;

function recordFromHash() {
  const hash = window.location.hash;
  if (!hash.startsWith("#r=")) return null;
  let record = hash.slice(3);
  try {
    record = decodeURIComponent(record);
  } catch {
    // Leave it as it is: parsing will say what is wrong.
  }
  return record.trim();
}

async function run() {
  const current = ++generation;
  const record = recordFromHash();
  const number = new URLSearchParams(window.location.search).get("certificate");
  let outcome;
  if (record !== null) {
    showChecking();
    outcome = await verifyRecord(record);
  } else if (number !== null) {
    showChecking();
    outcome = await statusOnly(number.trim().toUpperCase());
  } else {
    $("verdict").hidden = true;
    $("certificate").hidden = true;
    $("revocation").hidden = true;
    $("proof").hidden = true;
    return;
  }
  if (current === generation) showOutcome(outcome);
}

function formMessage(id, zh, en) {
  const message = $(id);
  if (zh === null) {
    message.replaceChildren();
    message.hidden = true;
  } else {
    bilingual(message, zh, en);
    message.hidden = false;
  }
}

async function lookUp(event) {
  event.preventDefault();
  const certificate = $("lookup-certificate").value.trim().toUpperCase();
  const name = $("lookup-name").value.trim();
  if (!wellFormedNumber(certificate)) {
    formMessage(
      "lookup-message",
      "请输入有效的证书编号(X 加 15 位数字)",
      "Enter a valid certificate number (X and 15 digits).",
    );
    return;
  }
  if (name.length === 0) {
    formMessage("lookup-message", "请输入持证人姓名", "Enter the holder's full name.");
    return;
  }
  formMessage("lookup-message", null, null);
  const button = $("lookup-submit");
  button.disabled = true;
  const current = ++generation;
  try {
    showChecking();
    const outcome = newOutcome("lookup");
    try {
      const response = await fetchFromLedger("/lookup", ["查询结果", "the lookup"], {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ certificate, name }),
      });
      if (response.status === 429) {
        const wait = response.headers.get("Retry-After");
        const after = wait && /^[0-9]+$/.test(wait) ? [`(${wait} 秒后)`, ` (in ${wait} s)`] : ["", ""];
        formMessage(
          "lookup-message",
          `尝试次数过多,请稍后再试${after[0]}`,
          `Too many attempts, try later${after[1]}.`,
        );
        if (current === generation) $("verdict").hidden = true;
        return;
      }
      if (!response.ok) {
        let detail = `HTTP ${response.status}`;
        try {
          const body = await response.json();
          if (isObject(body) && typeof body.detail === "string") detail = body.detail;
        } catch {
          // keep the status code
        }
        formMessage("lookup-message", `查询失败:${detail}`, `The lookup failed: ${detail}`);
        if (current === generation) $("verdict").hidden = true;
        return;
      }
      const answer = await response.json();
      if (!isObject(answer) || !["valid", "revoked", "unknown"].includes(answer.verdict)) {
        throw new CannotVerify("unavailable", "查询结果格式错误", "the lookup's answer is malformed");
      }
      outcome.verdict = answer.verdict;
      if (isObject(answer.status)) {
        const status = checkStatusShape(answer.status, certificate);
        outcome.certificate = certificateFactsFromStatus(status);
        if (answer.verdict === "revoked") outcome.revocation = revocationFacts(status);
      } else {
        outcome.certificate = [[["证书编号", "Certificate number"], certificate, "mono-value"]];
      }
    } catch (error) {
      settleFailure(outcome, null, error);
    }
    if (current === generation) showOutcome(outcome);
  } finally {
    button.disabled = false;
  }
}

function pasteRecord(event) {
  event.preventDefault();
  let text = $("record-input").value.replace(/\s+/g, "");
  const marker = text.indexOf("#r=");
  if (marker >= 0) text = text.slice(marker + 3);
  if (text.length === 0) {
    formMessage("record-message", "请粘贴验证记录", "Paste a verification record.");
    return;
  }
  formMessage("record-message", null, null);
  if (window.location.hash === `#r=${text}`) {
    run();
  } else {
    window.location.hash = `r=${text}`;
  }
  $("verdict").scrollIntoView({ block: "start" });
}

$("lookup-form").addEventListener("submit", lookUp);
$("record-form").addEventListener("submit", pasteRecord);
window.addEventListener("hashchange", run);
run();
