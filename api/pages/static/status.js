// A certificate's status (/certificates/{n}/status) and the facts the page shows.

import { isObject } from "./encoding.js";
import { CannotVerify } from "./errors.js";
import { fetchJson } from "./fetching.js";
import { levelText } from "./ui.js";

export function checkStatusShape(status, certificate) {
  if (
    !isObject(status) ||
    status.certificate !== certificate ||
    !["valid", "revoked", "unknown"].includes(status.status)
  ) {
    throw new CannotVerify("unavailable", "账本返回的证书状态格式错误", "the ledger's status answer is malformed");
  }
  return status;
}

export async function fetchStatus(certificate) {
  const status = await fetchJson(`/certificates/${encodeURIComponent(certificate)}/status`, [
    "证书状态",
    "the certificate's status",
  ]);
  return checkStatusShape(status, certificate);
}

function textValue(value) {
  return typeof value === "string" && value.length > 0 ? value : null;
}

export function certificateFactsFromClaims(claims) {
  const facts = [
    [["证书编号", "Certificate number"], claims.certificate, "mono-value"],
    [["职业技能等级标准", "Standard"], `${claims.standard_title}（${claims.standard}）`],
    [["等级", "Level"], levelText(claims.level)],
    [["发证组织", "Issuing organization"], `${claims.org_name}（${claims.org}）`],
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

export function certificateFactsFromStatus(status) {
  const facts = [[["证书编号", "Certificate number"], status.certificate, "mono-value"]];
  const standard = textValue(status.standard);
  const title = textValue(status.standard_title);
  if (standard !== null || title !== null) {
    facts.push([
      ["职业技能等级标准", "Standard"],
      title !== null && standard !== null ? `${title}（${standard}）` : (title ?? standard),
    ]);
  }
  if (textValue(status.level) !== null) facts.push([["等级", "Level"], levelText(status.level)]);
  const org = textValue(status.org);
  const orgName = textValue(status.org_name);
  if (org !== null || orgName !== null) {
    facts.push([
      ["发证组织", "Issuing organization"],
      orgName !== null && org !== null ? `${orgName}（${org}）` : (orgName ?? org),
    ]);
  }
  if (textValue(status.issued_on) !== null) facts.push([["发证日期", "Issued on"], status.issued_on]);
  if (Number.isSafeInteger(status.index)) {
    facts.push([["账本条目序号", "Ledger entry index"], String(status.index), "mono-value"]);
  }
  return facts;
}

export function revocationFacts(status) {
  return [
    [["撤销日期", "Revoked on"], textValue(status.revoked_on) ?? "—"],
    [["撤销原因", "Reason"], textValue(status.revocation_reason) ?? "—"],
  ];
}
