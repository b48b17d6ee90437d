// Rendering an outcome: the verdict banner, the facts, the transcript and the checks.

import { $, bilingual, renderFacts } from "./ui.js";

const VERDICTS = {
  valid: {
    word: ["有效", "Valid"],
    explanation: [
      "签名有效，记录在账本中，证书未被撤销。",
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
      "此验证记录不是本账本签发的，或已被改动。请勿信任。",
      "This record was not issued by this ledger, or it has been changed. Do not trust it.",
    ],
  },
  damaged: {
    word: ["链接不完整", "Damaged link"],
    explanation: [
      "二维码或链接没有被完整读取，无法验证，但这不说明证书是伪造的。请对准二维码重新扫描（保持光线充足、镜头稳定），或输入证书编号查询。",
      "The QR code or link was not read in full, so it cannot be verified; that does not mean " +
        "the certificate is forged. Scan the code again (good light, steady hand), or look the number up.",
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
      "账本的签名检查点无法验证，因此无法确认此记录。这不说明记录是伪造的；请稍后再试或联系账本运营方。",
      "The log's signed checkpoint does not verify, so this record cannot be confirmed. " +
        "That does not mean the record is forged; try again later or contact the ledger's operator.",
    ],
  },
  unavailable: {
    word: ["暂时无法验证", "Cannot verify right now"],
    explanation: [
      "无法从账本获取验证所需的数据，请稍后再试。",
      "The data needed to verify could not be fetched from the ledger; try again later.",
    ],
  },
  browser: {
    word: ["此浏览器无法验证", "This browser cannot verify"],
    explanation: [
      "验证需要通过 HTTPS 访问本页。请检查网址后再试，或输入证书编号查询状态。",
      "Verifying needs this page over HTTPS. Check the address and try again, or look the number up.",
    ],
  },
  bug: {
    word: ["验证出错", "Verification failed"],
    explanation: [
      "页面在验证时出错，请稍后再试。",
      "The page failed while verifying; try again later.",
    ],
  },
};

/** Every check, in the order verification runs them. */
const CHECKS = {
  link: ["链接完整，是一份验证记录", "The link is intact: it holds a record"],
  signature: ["签名由本账本的密钥验证", "The signature verifies under a key of this ledger"],
  claims: ["记录内容格式正确", "The record's contents are well formed"],
  checkpoint: ["账本的检查点签名有效", "The log's checkpoint signature verifies"],
  inclusion: [
    "包含证明已对照签名检查点验证",
    "Inclusion proof verified against signed checkpoint",
  ],
  entry: ["记录与账本中的条目一致", "The record matches its entry in the log"],
  status: ["已查询撤销状态", "Revocation status checked"],
};
const TRANSCRIPT_CHECKS = {
  link: ["内容完整，是一份签名成绩单", "It is whole: a signed transcript"],
  signature: CHECKS.signature,
  claims: ["成绩单内容格式正确", "The transcript's contents are well formed"],
  checkpoint: CHECKS.checkpoint,
  entries: [
    "每一项都与账本中的条目一致并包含在检查点中",
    "Every item matches its entry in the log, included in the checkpoint",
  ],
};

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
    bilingual(reasonLine, `原因：${reason[0]}`, `Reason: ${reason[1]}`);
    reasonLine.hidden = false;
  } else {
    reasonLine.replaceChildren();
    reasonLine.hidden = true;
  }
  banner.hidden = false;
  document.title = `${texts.word[0]} ${texts.word[1]} · 证书验证 Certificate verification`;
}

/** A revocation's date and reason inside the banner, so a phone shows them at once. */
function showRevocationLine(revocation) {
  const line = $("verdict-revocation");
  if (revocation === null) {
    line.replaceChildren();
    line.hidden = true;
    return;
  }
  const [[, on], [, reason]] = revocation;
  bilingual(line, `撤销日期：${on}；撤销原因：${reason}`, `Revoked on ${on}. Reason: ${reason}`);
  line.hidden = false;
}

export function showChecking() {
  showBanner("checking", null, null, null);
  showRevocationLine(null);
  for (const id of ["certificate", "revocation", "proof", "transcript"]) $(id).hidden = true;
  $("record-download").hidden = true;
}

function checkItems(outcome, names) {
  // The checks that ran, in the order they ran, then the ones that did not.
  const ran = outcome.checks.filter((entry) => entry.name in names);
  const order = [...ran.map((entry) => entry.name)];
  for (const name of Object.keys(names)) if (!order.includes(name)) order.push(name);
  return order.map((name) => {
    const [zh, en] = names[name];
    const item = bilingual(document.createElement("li"), zh, en);
    item.dataset.check = name;
    const entry = ran.find((candidate) => candidate.name === name);
    item.dataset.outcome = entry ? entry.outcome : "skip";
    if (!entry) item.classList.add("not-run");
    return item;
  });
}

function cell(tag, text, className) {
  const element = document.createElement(tag);
  element.textContent = text;
  if (className) element.className = className;
  return element;
}

function showTranscript(transcript) {
  const section = $("transcript");
  if (transcript === null) {
    section.hidden = true;
    return;
  }
  const rows = transcript.rows.map((row) => {
    const tr = document.createElement("tr");
    tr.dataset.outcome = row.ok ? "pass" : "fail";
    tr.dataset.index = String(row.index);
    const kind = bilingual(document.createElement("td"), row.kind[0], row.kind[1]);
    const what = cell("td", transcript.failedOnly ? "" : `${row.title}（${row.code}）`);
    if (row.note) {
      const note = bilingual(document.createElement("span"), row.note[0], row.note[1]);
      note.className = "row-note";
      what.append(document.createElement("br"), note);
    }
    tr.append(
      cell("td", row.ok ? "✓" : "✗", "row-mark"),
      kind,
      what,
      cell("td", transcript.failedOnly ? "" : row.credits, "num"),
      cell("td", String(row.index), "num mono-value"),
    );
    return tr;
  });
  $("transcript-rows").replaceChildren(...rows);
  bilingual(
    $("transcript-summary"),
    transcript.failedOnly
      ? "以下各项未能全部通过核对，内容不予显示。"
      : `学习账户 ${transcript.account}：累计学分 ${transcript.deposited}，已转换学分 ${transcript.converted}。`,
    transcript.failedOnly
      ? "Not every item checks out; their contents are not shown."
      : `Learning account ${transcript.account}: ${transcript.deposited} credits deposited, ${transcript.converted} converted.`,
  );
  section.hidden = false;
}

export function showOutcome(outcome) {
  let explanation = outcome.explanation;
  if (explanation === null && outcome.mode === "status" && outcome.verdict === "valid") {
    explanation = [
      "账本记载此证书有效（仅查询了状态，未验证验证记录）。",
      "The ledger records this certificate as valid (status only: no record was checked).",
    ];
  }
  showBanner(outcome.verdict, outcome.error, outcome.reason, explanation);
  showRevocationLine(outcome.revocation);
  showSection("certificate", outcome.certificate);
  showSection("revocation", outcome.revocation);
  showTranscript(outcome.transcript);

  const download = $("record-download");
  if (outcome.recordLink !== null && outcome.certificate !== null) {
    download.querySelector("a").href = outcome.recordLink;
    download.hidden = false;
  } else {
    download.hidden = true;
  }

  const proof = $("proof");
  if (outcome.mode !== "record" && outcome.mode !== "transcript") {
    proof.hidden = true;
    return;
  }
  const names = outcome.mode === "transcript" ? TRANSCRIPT_CHECKS : CHECKS;
  $("proof-checks").replaceChildren(...checkItems(outcome, names));
  renderFacts($("proof-facts"), outcome.proof);
  proof.hidden = false;
}
