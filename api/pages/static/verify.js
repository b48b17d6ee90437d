// The verification page (docs/format.md section 9.4), checked in the browser with WebCrypto.
//
// `#r=<record>`: the record is verified in full (verification.js); `?certificate=<number>`:
// the status alone. Two forms: look up by number and full name (POST /lookup), and paste a
// record.
//
// The record is attacker-controlled: nothing from it, from the URL or from a response is
// ever parsed as HTML. Every value reaches the page through textContent.

import { isObject } from "./encoding.js";
import { CannotVerify } from "./errors.js";
import { fetchFromLedger } from "./fetching.js";
import { wellFormedNumber } from "./numbers.js";
import { showChecking, showOutcome } from "./render.js";
import { checkStatusShape, certificateFactsFromStatus, revocationFacts } from "./status.js";
import { $, formMessage } from "./ui.js";
import { newOutcome, settleFailure, statusOnly, verifyRecord } from "./verification.js";

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
