// The verification page (docs/format.md section 9.4), checked in the browser.
//
// `/verify/<number>` (what a QR code holds): the record is fetched and verified in full
// (verification.js); `#r=<record>` (older QR codes): the record in the URL, verified the
// same way; `#t=<transcript>`: a signed transcript (transcript.js); `?certificate=<number>`:
// the status alone. Two forms: look up by number and full name (POST /lookup), and paste a
// record, a transcript or a verification URL.
//
// The record is attacker-controlled: nothing from it, from the URL or from a response is
// ever parsed as HTML. Every value reaches the page through textContent.

import { isObject } from "./encoding.js";
import { CannotVerify } from "./errors.js";
import { fetchFromLedger } from "./fetching.js";
import { TRANSCRIPT_TYPE, typeOf } from "./jws.js";
import { numberProblem } from "./numbers.js";
import { showChecking, showOutcome } from "./render.js";
import { checkStatusShape, certificateFactsFromStatus, revocationFacts } from "./status.js";
import { verifyTranscript } from "./transcript.js";
import { $, formMessage } from "./ui.js";
import { newOutcome, settleFailure, statusOnly, verifyNumber, verifyRecord } from "./verification.js";

const SHORT_PATH = /^\/verify\/(.*)$/;

let generation = 0;

function fromHash(marker) {
  const hash = window.location.hash;
  if (!hash.startsWith(marker)) return null;
  let record = hash.slice(marker.length);
  try {
    record = decodeURIComponent(record);
  } catch {
    // Leave it as it is: parsing will say what is wrong.
  }
  return record.trim();
}

async function run() {
  const current = ++generation;
  const record = fromHash("#r=");
  const transcript = fromHash("#t=");
  const short = SHORT_PATH.exec(window.location.pathname);
  const number = new URLSearchParams(window.location.search).get("certificate");
  let outcome;
  if (transcript !== null || (record !== null && typeOf(record) === TRANSCRIPT_TYPE)) {
    showChecking();
    outcome = await verifyTranscript(transcript ?? record);
  } else if (record !== null) {
    showChecking();
    outcome = await verifyRecord(record);
  } else if (short !== null) {
    showChecking();
    let text = short[1];
    try {
      text = decodeURIComponent(text);
    } catch {
      // a garbled link: checking the number says what is wrong
    }
    outcome = await verifyNumber(text);
  } else if (number !== null) {
    showChecking();
    outcome = await statusOnly(number.trim().toUpperCase());
  } else {
    $("verdict").hidden = true;
    $("certificate").hidden = true;
    $("revocation").hidden = true;
    $("proof").hidden = true;
    $("transcript").hidden = true;
    return;
  }
  if (current === generation) showOutcome(outcome);
}

async function lookUp(event) {
  event.preventDefault();
  const certificate = $("lookup-certificate").value.trim().toUpperCase();
  const name = $("lookup-name").value.trim();
  const problem = certificate.length === 0 ? ["请输入证书编号", "enter the certificate number"] : numberProblem(certificate);
  if (problem !== null) {
    formMessage("lookup-message", `证书编号有误：${problem[0]}。`, `The certificate number is wrong: ${problem[1]}.`);
    return;
  }
  if (name.length === 0) {
    formMessage("lookup-message", "请输入持证人姓名。", "Enter the holder's full name.");
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
        const after = wait && /^[0-9]+$/.test(wait) ? [`（${wait} 秒后）`, ` (in ${wait} s)`] : ["", ""];
        formMessage(
          "lookup-message",
          `尝试次数过多，请稍后再试${after[0]}。`,
          `Too many attempts, try later${after[1]}.`,
        );
        if (current === generation) $("verdict").hidden = true;
        return;
      }
      if (!response.ok) {
        let detail = `HTTP ${response.status}`;
        let chinese = detail;
        try {
          const body = await response.json();
          if (isObject(body) && typeof body.detail === "string") detail = body.detail;
          chinese = isObject(body) && typeof body.detail_zh === "string" ? body.detail_zh : detail;
        } catch {
          // keep the status code
        }
        formMessage("lookup-message", `查询失败：${chinese}`, `The lookup failed: ${detail}`);
        if (current === generation) $("verdict").hidden = true;
        return;
      }
      const answer = await response.json();
      if (!isObject(answer) || !["valid", "revoked", "unknown"].includes(answer.verdict)) {
        throw new CannotVerify("unavailable", "查询结果格式错误", "the lookup's answer is malformed");
      }
      outcome.verdict = answer.verdict;
      // Unknown alike for a wrong name and a number never issued: say no more than that.
      outcome.explanation =
        answer.verdict === "unknown"
          ? ["没有与此编号和姓名相符的证书。", "No certificate matches this number and name."]
          : answer.verdict === "valid"
            ? [
                "姓名与持证人相符；账本记载此证书有效（仅查询了状态）。",
                "The name matches the holder's; the ledger records this certificate as valid (status only).",
              ]
            : [
                "姓名与持证人相符；此证书已被撤销。",
                "The name matches the holder's; this certificate has been revoked.",
              ];
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
  for (const marker of ["#r=", "#t="]) {
    const at = text.indexOf(marker);
    if (at >= 0) text = text.slice(at + marker.length);
  }
  if (text.length === 0) {
    formMessage("record-message", "请粘贴验证记录、成绩单或二维码网址。", "Paste a record, a transcript or a QR code URL.");
    return;
  }
  formMessage("record-message", null, null);
  const short = /^https?:\/\/[^/]+(\/verify\/[^#?]*)$/.exec(text);
  if (short !== null && short[0].startsWith(window.location.origin)) {
    window.location.assign(short[1]);
    return;
  }
  const marker = typeOf(text) === TRANSCRIPT_TYPE ? "t" : "r";
  if (window.location.pathname === "/verify" && window.location.hash === `#${marker}=${text}`) {
    run();
  } else if (window.location.pathname === "/verify") {
    window.location.hash = `${marker}=${text}`;
  } else {
    window.location.assign(`/verify#${marker}=${text}`);
    return;
  }
  $("verdict").scrollIntoView({ block: "start" });
}

$("lookup-form").addEventListener("submit", lookUp);
$("record-form").addEventListener("submit", pasteRecord);
window.addEventListener("hashchange", run);
run();
