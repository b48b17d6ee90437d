// Verifying a signed transcript (GET /learners/{account}/transcript, docs/format.md
// section 10.1): its signature, then each outcome and conversion against its own entry in
// the log, proven included in the signed checkpoint, and each certificate's status today.

import { verifiedCheckpoint } from "./checkpoint.js";
import { concatBytes, decodeBase64, isObject, sha256, strictUtf8 } from "./encoding.js";
import { CannotVerify, Forged } from "./errors.js";
import { fetchJson } from "./fetching.js";
import { checkSignature, ledgerKeys, originOf, parseCompact, signedJson } from "./jws.js";
import { checkInclusion } from "./merkle.js";
import { fetchStatus } from "./status.js";
import {
  check,
  implementationFact,
  newOutcome,
  requireWebCrypto,
  settleFailure,
} from "./verification.js";

const ACCOUNT = /^urn:certledger:account:(L[0-9]{11})$/;
const CERTIFICATE_URN = /^urn:certledger:certificate:(X[0-9]{15})$/;

function shape(payload) {
  const bad = () => new Forged("成绩单内容格式错误", "the transcript's payload is malformed");
  if (!Array.isArray(payload.type) || !payload.type.includes("ClrCredential")) throw bad();
  const subject = payload.credentialSubject;
  if (!isObject(subject) || !Array.isArray(subject.achievement) || !Array.isArray(subject.association)) {
    throw bad();
  }
  const account = ACCOUNT.exec(String(subject.id));
  if (account === null || typeof payload.iss !== "string" || !Number.isSafeInteger(payload.treeSize)) {
    throw bad();
  }
  for (const item of [...subject.achievement, ...subject.association]) {
    if (!isObject(item) || !Number.isSafeInteger(item.ledgerIndex) || item.ledgerIndex < 0) throw bad();
  }
  return { subject, account: account[1] };
}

/** The entry at `index`, proven to be in the checkpoint's tree: {kind, payload}. */
async function provenEntry(index, checkpoint) {
  const page = await fetchJson(`/log/entries?start=${index}&end=${index + 1}`, [
    "账本条目",
    "the log's entry",
  ]);
  const entry = isObject(page) && Array.isArray(page.entries) ? page.entries[0] : undefined;
  const data = isObject(entry) && entry.index === index ? decodeBase64(entry.data) : null;
  if (data === null) throw new CannotVerify("log", "账本条目格式错误", "the log's entry is malformed");
  const leaf = await sha256(concatBytes(Uint8Array.of(0x00), data));
  await checkInclusion(index, leaf, checkpoint);
  try {
    return JSON.parse(strictUtf8.decode(data));
  } catch {
    throw new CannotVerify("log", "账本条目格式错误", "the log's entry is malformed");
  }
}

function matches(entry, kind, expected) {
  if (!isObject(entry) || entry.kind !== kind || !isObject(entry.payload)) return false;
  return Object.entries(expected).every(([name, value]) => entry.payload[name] === value);
}

async function checkAchievement(item, account, checkpoint) {
  const entry = await provenEntry(item.ledgerIndex, checkpoint);
  const certificate = item.achievementType === "Certificate";
  const fine = certificate
    ? matches(entry, "certificate.issued", { certificate: item.humanCode, account })
    : matches(entry, "credit.deposited", {
        course: item.humanCode,
        account,
        credits: item.creditsAvailable,
      });
  const row = {
    kind: certificate ? ["证书", "Certificate"] : ["课程", "Course"],
    code: String(item.humanCode),
    title: String(item.name),
    credits: String(item.creditsAvailable),
    date: String(item.awardedDate),
    index: item.ledgerIndex,
    ok: fine,
    note: null,
  };
  if (fine && certificate) {
    const status = await fetchStatus(item.humanCode);
    if (status.status === "revoked") {
      row.note = [
        `此后已撤销（${status.revoked_on ?? "—"}，${status.revocation_reason ?? "—"}）`,
        `revoked since (${status.revoked_on ?? "—"}: ${status.revocation_reason ?? "—"})`,
      ];
    }
  }
  return row;
}

async function checkConversion(item, account, checkpoint) {
  const entry = await provenEntry(item.ledgerIndex, checkpoint);
  const certificate = CERTIFICATE_URN.exec(String(item.sourceId))?.[1] ?? null;
  const fine =
    certificate !== null &&
    matches(entry, "conversion.recorded", {
      conversion: item.conversion,
      account,
      certificate,
      rule: item.rule,
      version: item.ruleVersion,
      credits: item.credits,
    });
  const programme = String(item.targetId).replace(/^urn:certledger:programme:/, "");
  return {
    kind: ["转换", "Conversion"],
    code: String(item.conversion),
    title: `${certificate ?? "?"} → ${programme}（${item.rule} v${item.ruleVersion}）`,
    credits: String(item.credits),
    date: "",
    index: item.ledgerIndex,
    ok: fine,
    note: null,
  };
}

export async function verifyTranscript(token) {
  const outcome = newOutcome("transcript");
  let step = "link";
  try {
    requireWebCrypto();
    const parsed = parseCompact(token);
    check(outcome, "link", true);

    step = "signature";
    const keys = await ledgerKeys();
    await checkSignature(parsed, keys);
    check(outcome, "signature", true);

    step = "claims";
    const payload = signedJson(parsed.payload);
    const { subject, account } = shape(payload);
    check(outcome, "claims", true);

    step = "checkpoint";
    const checkpoint = await verifiedCheckpoint(keys);
    check(outcome, "checkpoint", true);
    if (originOf(payload.iss) !== checkpoint.origin) {
      throw new Forged("成绩单由另一个账本签发", "the transcript names another ledger as its issuer");
    }
    if (payload.treeSize > checkpoint.size) {
      throw new CannotVerify("log", "账本的检查点早于此成绩单，请稍后再试", "the log's checkpoint is older than the transcript; try later");
    }

    step = "entries";
    const rows = [];
    for (const item of subject.achievement) rows.push(await checkAchievement(item, account, checkpoint));
    for (const item of subject.association) rows.push(await checkConversion(item, account, checkpoint));
    outcome.transcript = {
      account,
      rows,
      deposited: String(subject.creditsDeposited),
      converted: String(subject.creditsConverted),
    };
    const wrong = rows.filter((row) => !row.ok);
    if (wrong.length > 0) {
      throw new Forged(
        `成绩单中有 ${wrong.length} 项与账本中的条目不符（条目 ${wrong.map((row) => row.index).join("、")}）`,
        `${wrong.length} item(s) differ from their entries in the log (entries ${wrong.map((row) => row.index).join(", ")})`,
      );
    }
    check(outcome, "entries", true);
    outcome.verdict = "valid";
    outcome.explanation = [
      `签名有效；成绩单的 ${rows.length} 项均与账本中的条目一致，并包含在签名检查点中。`,
      `The signature verifies; each of the transcript's ${rows.length} items matches its entry in the log, included in the signed checkpoint.`,
    ];
    outcome.proof.push(
      [["签名密钥", "Signing key (kid)"], parsed.kid],
      [["学习账户", "Learning account"], account],
      [["签发时间", "Issued at"], String(payload.validFrom)],
      [["成绩单对应的账本大小", "Log size it reflects"], String(payload.treeSize)],
      [["检查点大小", "Checkpoint size"], String(checkpoint.size)],
    );
  } catch (error) {
    const rows = outcome.transcript;
    settleFailure(outcome, step, error);
    // Show which items failed, never as facts: only their entry index and outcome.
    if (rows !== null && error instanceof Forged) outcome.transcript = { ...rows, failedOnly: true };
  }
  outcome.proof.push(...implementationFact());
  return outcome;
}
