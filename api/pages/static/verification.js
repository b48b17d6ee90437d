// Verifying a record or a number into an outcome the page renders (docs/format.md 9.4).
//
// `verifyRecord`: the compact JWS record's signature under a key of /.well-known/jwks.json,
// the log's signed checkpoint (/log/checkpoint), the record's inclusion proof against it
// (/log/proof/inclusion), its entry (/log/entries) and the certificate's status
// (/certificates/{n}/status). `statusOnly`: the status alone.

import { verifiedCheckpoint } from "./checkpoint.js";
import { checkEntry } from "./entry.js";
import { CannotVerify, Forged } from "./errors.js";
import {
  ed25519Verify,
  ledgerKeys,
  originOf,
  parsePayload,
  parseRecord,
  webCryptoPresent,
} from "./jws.js";
import { checkInclusion } from "./merkle.js";
import { wellFormedNumber } from "./numbers.js";
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
    checks: [],
    certificate: null,
    revocation: null,
    proof: [],
  };
}

function check(outcome, name, passed) {
  outcome.checks.push({ name, outcome: passed ? "pass" : "fail" });
}

export async function verifyRecord(token) {
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

export async function statusOnly(number) {
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

export function settleFailure(outcome, step, error) {
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
