// The learner's page: sign in with a learning account number and an access token, then see
// the account (GET /learners/{account}): the balance, enrolments, certificates with their
// QR codes, course credits and conversions; and download the signed transcript
// (GET /learners/{account}/transcript, a JWS).
//
// The token is kept in sessionStorage only (this tab, until it is closed), is sent only in
// the Authorization header of those two requests, and never appears in a URL. Nothing from
// a response is ever parsed as HTML (see learner-view.js).

import { isObject } from "./encoding.js";
import { checkAccount, clearAccount, fillName, namedParties, renderAccount } from "./learner-view.js";
import { wellFormedAccount } from "./numbers.js";
import { $, bilingual, formMessage } from "./ui.js";

const STORED_ACCOUNT = "certledger.learner.account";
const STORED_TOKEN = "certledger.learner.token";
/** Printable ASCII without spaces: what an Authorization header can carry. */
const TOKEN_SHAPE = /^[\x21-\x7e]+$/;
const TITLE = "我的学习账户 My learning account";

// -- the session: sessionStorage, or this page's memory where storage is refused ---------

const memory = new Map();

function stored(name) {
  try {
    return window.sessionStorage.getItem(name);
  } catch {
    return memory.get(name) ?? null;
  }
}

function store(name, value) {
  try {
    if (value === null) window.sessionStorage.removeItem(name);
    else window.sessionStorage.setItem(name, value);
  } catch {
    if (value === null) memory.delete(name);
    else memory.set(name, value);
  }
}

// -- requests ---------------------------------------------------------------------------

function withToken(path, token, accept) {
  return fetch(path, {
    cache: "no-store",
    credentials: "same-origin",
    redirect: "error",
    headers: { Authorization: `Bearer ${token}`, Accept: accept },
  });
}

/** The `detail` of an error answer, if it has one. */
async function errorDetail(response) {
  try {
    const body = await response.json();
    if (isObject(body) && typeof body.detail === "string") return body.detail;
  } catch {
    // not JSON: the status says enough
  }
  return null;
}

const UNREACHABLE = ["无法连接到服务器，请稍后再试。", "Cannot reach the server; try again later."];

/** What to tell the learner when the account answer is `status`. */
function refusal(status, account, retryAfter) {
  switch (status) {
    case 401:
      return [
        "访问令牌无效或已过期，请向学校或学分银行办公室重新获取。",
        "The access token is not valid or has expired; ask your school or the credit bank " +
          "office for a new one.",
      ];
    case 403:
      return [
        `此访问令牌无权查看学习账户 ${account}，请确认账号与令牌属于同一人。`,
        `This access token may not read learning account ${account}; check that the account ` +
          "number and the token belong together.",
      ];
    case 404:
      return [
        `没有学习账户 ${account}，请检查账号。`,
        `There is no learning account ${account}; check the number.`,
      ];
    case 429: {
      const wait = retryAfter && /^[0-9]+$/.test(retryAfter) ? retryAfter : null;
      return [
        `请求过多，请${wait ? ` ${wait} 秒后` : "稍后"}再试。`,
        `Too many requests; try again ${wait ? `in ${wait} s` : "later"}.`,
      ];
    }
    default:
      return [`加载账户失败（HTTP ${status}）。`, `Loading the account failed (HTTP ${status}).`];
  }
}

// -- the views ----------------------------------------------------------------------------

let generation = 0;

function showSignIn(account, message) {
  $("loading").hidden = true;
  $("account").hidden = true;
  clearAccount();
  document.title = TITLE;
  $("sign-in").hidden = false;
  if (account !== null) $("account-input").value = account;
  const line = $("sign-in-message");
  if (message === null) {
    formMessage("sign-in-message", null, null);
    delete line.dataset.status;
  } else {
    const [zh, en, status, detail] = message;
    bilingual(line, zh, detail ? `${en} (${detail})` : en);
    line.dataset.status = String(status);
    line.hidden = false;
  }
  if (message !== null) {
    // The field to fix: the number when the token is there (404), else the token.
    const number = $("account-input");
    (number.value && !$("token-input").value ? $("token-input") : number).focus();
  }
}

async function showAccount(account, token) {
  const current = ++generation;
  $("sign-in").hidden = true;
  $("account").hidden = true;
  $("loading").hidden = false;
  let response;
  try {
    response = await withToken(`/learners/${encodeURIComponent(account)}`, token, "application/json");
  } catch {
    if (current === generation) showSignIn(account, [...UNREACHABLE, "unreachable", null]);
    return;
  }
  if (!response.ok) {
    const detail = await errorDetail(response);
    if (current !== generation) return;
    if ([401, 403, 404].includes(response.status)) {
      // This token will not read this account: forget it and ask again (for a 404 the
      // token may be right and the number wrong, so the token field keeps it).
      store(STORED_TOKEN, null);
      if (response.status !== 404) $("token-input").value = "";
    }
    const [zh, en] = refusal(response.status, account, response.headers.get("Retry-After"));
    showSignIn(account, [zh, en, response.status, detail]);
    return;
  }
  let view = null;
  try {
    view = checkAccount(await response.json(), account);
  } catch {
    // shown below as malformed
  }
  if (current !== generation) return;
  if (view === null) {
    const malformed = ["服务器返回的账户数据格式错误。", "The server's account answer is malformed."];
    showSignIn(account, [...malformed, "malformed", null]);
    return;
  }
  $("token-input").value = "";
  formMessage("transcript-message", null, null);
  renderAccount(view);
  $("loading").hidden = true;
  $("account").hidden = false;
  document.title = `${account} · ${TITLE}`;
  nameParties(view, current);
}

/** Complete school and organization codes with their names from the public registry. */
async function nameParties(view, current) {
  await Promise.all(
    namedParties(view).map(async ([kind, id]) => {
      const path = `/${kind === "school" ? "schools" : "orgs"}/${encodeURIComponent(id)}`;
      try {
        const response = await fetch(path, {
          cache: "no-store",
          credentials: "omit",
          redirect: "error",
          headers: { Accept: "application/json" },
        });
        if (!response.ok) return;
        const body = await response.json();
        if (current !== generation || !isObject(body) || typeof body.name !== "string") return;
        if (body.name.length > 0) fillName(kind, id, body.name);
      } catch {
        // The code alone is shown.
      }
    }),
  );
}

// -- actions ------------------------------------------------------------------------------

function signIn(event) {
  event.preventDefault();
  const account = $("account-input").value.trim().toUpperCase();
  const token = $("token-input").value.trim().replace(/^bearer\s+/i, "");
  const problem = (zh, en) => {
    formMessage("sign-in-message", zh, en);
    $("sign-in-message").dataset.status = "input";
  };
  if (!wellFormedAccount(account)) {
    problem(
      "请输入有效的学习账号（L 加 11 位数字，校验位须正确）",
      "Enter a valid learning account number (L and 11 digits with a valid check digit).",
    );
    return;
  }
  if (token.length === 0) {
    problem("请输入访问令牌", "Enter your access token.");
    return;
  }
  if (!TOKEN_SHAPE.test(token)) {
    problem("访问令牌不能包含空格或中文字符", "An access token has no spaces or non-ASCII characters.");
    return;
  }
  store(STORED_ACCOUNT, account);
  store(STORED_TOKEN, token);
  formMessage("sign-in-message", null, null);
  showAccount(account, token);
}

function signOut() {
  generation += 1;
  store(STORED_ACCOUNT, null);
  store(STORED_TOKEN, null);
  $("account-input").value = "";
  $("token-input").value = "";
  formMessage("transcript-message", null, null);
  showSignIn(null, null);
}

function transcriptMessage(tone, zh, en) {
  formMessage("transcript-message", zh, en);
  $("transcript-message").dataset.tone = tone;
}

async function downloadTranscript() {
  const account = stored(STORED_ACCOUNT);
  const token = stored(STORED_TOKEN);
  if (account === null || token === null) {
    showSignIn(account, null);
    return;
  }
  const button = $("transcript-button");
  button.disabled = true;
  formMessage("transcript-message", null, null);
  try {
    let response;
    try {
      const path = `/learners/${encodeURIComponent(account)}/transcript`;
      response = await withToken(path, token, "application/jose");
    } catch {
      transcriptMessage("error", ...UNREACHABLE);
      return;
    }
    if (!response.ok) {
      const detail = await errorDetail(response);
      const suffix = detail ? `: ${detail}` : "";
      transcriptMessage(
        "error",
        `无法下载成绩单（HTTP ${response.status}）。`,
        `The transcript could not be downloaded (HTTP ${response.status})${suffix}.`,
      );
      return;
    }
    const file = new Blob([await response.arrayBuffer()], { type: "application/jose" });
    const url = URL.createObjectURL(file);
    const link = document.createElement("a");
    link.href = url;
    link.download = `transcript-${account}.jws`;
    link.hidden = true;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    transcriptMessage(
      "ok",
      `成绩单已下载：${link.download}（已签名的 JWS 文件）`,
      `Transcript downloaded: ${link.download} (a signed JWS)`,
    );
  } finally {
    button.disabled = false;
  }
}

// -- the page -----------------------------------------------------------------------------

$("sign-in-form").addEventListener("submit", signIn);
$("sign-out").addEventListener("click", signOut);
$("transcript-button").addEventListener("click", downloadTranscript);

const account = stored(STORED_ACCOUNT);
const token = stored(STORED_TOKEN);
if (account !== null && token !== null && wellFormedAccount(account)) {
  showAccount(account, token);
} else {
  showSignIn(account, null);
}
