// Verifying a record or a number into an outcome the page renders (docs/format.md 9.4).
//
// `verifyRecord`: the compact JWS record's signature under a key of /.well-known/jwks.json,
// its claims, the log's signed checkpoint (/log/checkpoint), the record's inclusion proof
// against it (/log/proof/inclusion), its entry (/log/entries) and the certificate's status
// (/certificates/{n}/status), in that order; the checklist shows them in the same order.
// `verifyNumber`: the short link of a QR code: the record is fetched
// (/certificates/{n}/record), then checked as above. `statusOnly`: the status alone.

import { verifiedCheckpoint } from "./checkpoint.js";
import { implementationUsed, NOBLE } from "./ed25519.js";
import { checkEntry } from "./entry.js";
import { CannotVerify, Damaged, Forged } from "./errors.js";
import { fetchFromLedger } from "./fetching.js";
import {
  checkSignature,
  ledgerKeys,
  originOf,
  parseCompact,
  parsePayload,
  webCryptoPresent,
} from "./jws.js";
import { checkInclusion } from "./merkle.js";
import { numberProblem } from "./numbers.js";
import {
  certificateFactsFromClaims,
  certificateFactsFromStatus,
  fetchStatus,
  revocationFacts,
} from "./status.js";

export function newOutcome(mode) {
  return {
    mode,
    verdict: "checking",
    error: null,
    reason: null,
    explanation: null,
    checks: [],
    certificate: null,
    revocation: null,
    proof: [],
    transcript: null,
    recordLink: null,
  };
}

export function check(outcome, name, passed) {
  outcome.checks.push({ name, outcome: passed ? "pass" : "fail" });
}

export function requireWebCrypto() {
  if (!webCryptoPresent()) {
    throw new CannotVerify(
      "browser",
      "此页面需通过 HTTPS 在支持 WebCrypto 的浏览器中打开",
      "this page needs HTTPS and a browser with WebCrypto",
    );
  }
}

/** The fact naming the Ed25519 implementation that verified the signatures. */
export function implementationFact() {
  const used = implementationUsed();
  if (used === null) return [];
  const text =
    used === NOBLE
      ? `${NOBLE}（本服务提供的 JavaScript 实现，因浏览器的 WebCrypto 不支持 Ed25519） ` +
        "JavaScript, served by this ledger: this browser's WebCrypto lacks Ed25519"
      : "浏览器内置 WebCrypto（Ed25519） the browser's own WebCrypto";
  return [[["签名验证实现", "Signatures verified with"], text]];
}

export async function verifyRecord(token, outcome = newOutcome("record")) {
  let step = "link";
  try {
    requireWebCrypto();
    const record = parseCompact(token);
    check(outcome, "link", true);

    step = "signature";
    const keys = await ledgerKeys();
    await checkSignature(record, keys);
    check(outcome, "signature", true);

    step = "claims";
    const { claims, leafHash } = parsePayload(record.payload);
    check(outcome, "claims", true);
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
      throw new Forged("记录由另一个账本签发（iss 与检查点来源不符）", "the record names another ledger as its issuer");
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
  outcome.proof.push(...implementationFact());
  return outcome;
}

/** The short link of a QR code: fetch the number's record from the ledger, then check it. */
export async function verifyNumber(text) {
  const outcome = newOutcome("record");
  const number = text.trim().toUpperCase();
  const problem = numberProblem(number);
  if (problem !== null) {
    settleFailure(
      outcome,
      "link",
      new Damaged(`链接中的证书编号不完整或有误：${problem[0]}`, `the link's certificate number is wrong: ${problem[1]}`),
    );
    return outcome;
  }
  outcome.recordLink = `/certificates/${encodeURIComponent(number)}/record`;
  let response;
  try {
    response = await fetchFromLedger(outcome.recordLink, ["验证记录", "the verification record"], {
      headers: { Accept: "application/jose" },
    });
  } catch (error) {
    settleFailure(outcome, "link", error);
    return outcome;
  }
  if (response.status === 404) {
    outcome.verdict = "unknown";
    outcome.recordLink = null;
    outcome.certificate = [[["证书编号", "Certificate number"], number, "mono-value"]];
    outcome.explanation = [
      "账本中没有此编号的证书。此二维码或链接不是本账本签发的证书的。",
      "The ledger holds no certificate with this number: this code or link is not of a certificate it issued.",
    ];
    return outcome;
  }
  if (!response.ok) {
    settleFailure(
      outcome,
      "link",
      new CannotVerify("unavailable", `获取验证记录失败（HTTP ${response.status}）`, `fetching the record failed (HTTP ${response.status})`),
    );
    return outcome;
  }
  const record = (await response.text()).trim();
  return verifyRecord(record, outcome);
}

export async function statusOnly(number) {
  const outcome = newOutcome("status");
  try {
    const problem = numberProblem(number);
    if (problem !== null) {
      outcome.verdict = "unknown";
      outcome.reason = problem;
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

export function settleFailure(outcome, step, error) {
  if (step !== null) check(outcome, step, false);
  if (error instanceof Damaged) {
    outcome.verdict = "damaged";
    outcome.reason = [error.zh, error.en];
    outcome.certificate = null;
    outcome.proof = [];
  } else if (error instanceof Forged) {
    outcome.verdict = "forged";
    outcome.reason = [error.zh, error.en];
    // Claims that did not survive verification are not shown as facts.
    outcome.certificate = null;
    outcome.proof = [];
    outcome.transcript = null;
  } else if (error instanceof CannotVerify) {
    outcome.verdict = "error";
    outcome.error = error.kind;
    outcome.reason = [error.zh, error.en];
    // Not confirmed by the log: the facts stay unshown.
    outcome.certificate = null;
    outcome.transcript = null;
  } else {
    console.error("verification failed unexpectedly", error);
    outcome.verdict = "error";
    outcome.error = "bug";
    outcome.reason = ["意外错误", String(error?.message ?? error)];
  }
}
