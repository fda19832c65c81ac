// The operator page: each housing site's health from GET /api/sites/health. Staff only; the
// sign-in lives on the main staff page. Kept simple until the React app replaces it.
const $ = (id) => document.getElementById(id);
const when = new Intl.DateTimeFormat("nl-NL", { timeZone: "Europe/Amsterdam", dateStyle: "medium", timeStyle: "short" });
const fmtDate = (s) => (s ? when.format(new Date(s)) : "–");
const HEALTH = { healthy: "Werkt", degraded: "Problemen", blocked: "Geblokkeerd", broken: "Kapot" };
const KIND = {
  schema: "antwoord heeft een andere vorm",
  suspicious: "ineens nul woningen (niet geloofd)",
  blocked: "site weigert ons",
  robots: "robots.txt verbiedt het",
  unavailable: "site antwoordt niet goed",
  internal: "fout aan onze kant",
};

function cell(row, text) { const td = document.createElement("td"); td.textContent = text; row.appendChild(td); return td; }

/** A small line chart of listing counts; the numbers themselves are in the text next to it. */
function sparkline(values) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  const w = 80, h = 20;
  svg.setAttribute("width", String(w)); svg.setAttribute("height", String(h));
  svg.setAttribute("aria-hidden", "true"); svg.setAttribute("focusable", "false");
  const nums = values.filter((v) => v !== null);
  const max = Math.max(1, ...nums);
  const step = values.length > 1 ? w / (values.length - 1) : 0;
  values.forEach((v, i) => {
    const x = i * step;
    if (v === null) {
      const cross = document.createElementNS(ns, "line");
      cross.setAttribute("x1", String(x)); cross.setAttribute("x2", String(x));
      cross.setAttribute("y1", "0"); cross.setAttribute("y2", String(h));
      cross.setAttribute("stroke", "#ec0000"); cross.setAttribute("stroke-width", "1");
      svg.appendChild(cross);
      return;
    }
    const dot = document.createElementNS(ns, "circle");
    dot.setAttribute("cx", String(Math.max(2, Math.min(w - 2, x))));
    dot.setAttribute("cy", String(h - 2 - (v / max) * (h - 4)));
    dot.setAttribute("r", "2"); dot.setAttribute("fill", "#004699");
    svg.appendChild(dot);
  });
  return svg;
}

async function load() {
  $("error").textContent = "";
  const res = await fetch("/api/sites/health", { headers: { accept: "application/json" } });
  if (res.status === 401) { $("signin-needed").hidden = false; $("sites-section").hidden = true; return; }
  const body = await res.json();
  if (!res.ok) throw new Error(body && body.message ? body.message : res.statusText);
  const names = new Map(body.sites.map((s) => [s.id, s.name]));

  const tbody = $("sites"); tbody.replaceChildren();
  for (const s of body.sites) {
    const tr = document.createElement("tr");
    const th = document.createElement("th"); th.scope = "row";
    th.textContent = `${s.name} (${s.host}, ${s.platform})${s.enabled ? "" : " – uitgezet"}`;
    tr.appendChild(th);
    const status = document.createElement("span");
    status.className = `status status-${s.health}`;
    status.textContent = HEALTH[s.health] || s.health;
    tr.appendChild(document.createElement("td")).appendChild(status);
    cell(tr, fmtDate(s.healthChangedAt));
    cell(tr, fmtDate(s.lastSuccessAt));
    cell(tr, String(s.consecutiveFailures));
    const err = cell(tr, s.lastError ? `${KIND[s.lastErrorKind] || s.lastErrorKind || "fout"}: ${s.lastError}` : "–");
    err.className = "error-text";
    const trend = cell(tr, "");
    trend.className = "trend";
    if (s.listingCountTrend.length) {
      trend.appendChild(sparkline(s.listingCountTrend));
      trend.appendChild(document.createTextNode(s.listingCountTrend.map((v) => (v === null ? "mislukt" : String(v))).join(", ")));
    } else trend.textContent = "nog niet gelezen";
    tbody.appendChild(tr);
  }

  const notices = $("notices"); notices.replaceChildren();
  for (const n of body.notices) {
    const tr = document.createElement("tr");
    cell(tr, fmtDate(n.transitionAt));
    cell(tr, names.get(n.siteId) || n.siteId);
    cell(tr, `${n.kind === "broken" ? "Kapot" : "Werkt weer"}: ${n.detail}`);
    cell(tr, n.sentAt ? `verstuurd ${fmtDate(n.sentAt)}` : n.error ? `nog niet verstuurd (${n.error})` : "nog niet verstuurd");
    notices.appendChild(tr);
  }
  if (!body.notices.length) { const tr = document.createElement("tr"); cell(tr, "Nog geen berichten.").colSpan = 4; notices.appendChild(tr); }

  $("signin-needed").hidden = true;
  $("sites-section").hidden = false;
  $("updated").textContent = `Bijgewerkt: ${when.format(new Date())}`;
}

function reload() { load().catch((e) => { $("error").textContent = "Laden lukte niet: " + e.message; }); }
$("refresh").addEventListener("click", reload);
reload();
// Health changes with every scrape (about once a minute): refresh now and then.
setInterval(reload, 60_000);
