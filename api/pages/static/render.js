// Rendering an outcome: the verdict banner, the facts and the list of checks.

import { $, bilingual, renderFacts } from "./ui.js";

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

export function showChecking() {
  showBanner("checking", null, null, null);
  $("certificate").hidden = true;
  $("revocation").hidden = true;
  $("proof").hidden = true;
}

export function showOutcome(outcome) {
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
