// A first, simple staff page on the JSON API: sign in, families of your organisation, a family's
// offered homes and evidence log, and the newest listings. The full app comes with issue #5.
const $ = (id) => document.getElementById(id);
const euro = new Intl.NumberFormat("nl-NL", { style: "currency", currency: "EUR" });
const when = new Intl.DateTimeFormat("nl-NL", { timeZone: "Europe/Amsterdam", dateStyle: "medium", timeStyle: "short" });
const fmtDate = (s) => (s ? when.format(new Date(s)) : "–");
const fmtRent = (r) => (r == null ? "–" : euro.format(Number(r)));

async function api(path, options = {}) {
  const res = await fetch(path, { ...options, headers: { "content-type": "application/json", ...(options.headers || {}) } });
  if (res.status === 401) { show(false); throw new Error("unauthorized"); }
  const body = res.status === 204 ? null : await res.json();
  if (!res.ok) throw new Error(body && body.message ? body.message : res.statusText);
  return body;
}
function cell(row, text) { const td = document.createElement("td"); td.textContent = text; row.appendChild(td); return td; }
function show(signedIn) {
  $("login-section").hidden = signedIn;
  $("families-section").hidden = !signedIn;
  $("listings-section").hidden = !signedIn;
  $("logout").hidden = !signedIn;
  if (!signedIn) $("family-section").hidden = true;
}

async function loadFamilies() {
  const { families } = await api("/api/families");
  const tbody = $("families"); tbody.replaceChildren();
  for (const f of families) {
    const tr = document.createElement("tr");
    const a = document.createElement("a"); a.href = "#"; a.textContent = f.displayName;
    a.addEventListener("click", (e) => { e.preventDefault(); void openFamily(f.id, f.displayName); });
    tr.appendChild(document.createElement("td")).appendChild(a);
    cell(tr, f.language); cell(tr, String(f.childBirthYears.length));
    tbody.appendChild(tr);
  }
}
async function openFamily(id, name) {
  const [{ matches }, { activities }] = await Promise.all([api(`/api/families/${id}/matches`), api(`/api/families/${id}/activity`)]);
  $("family-title").textContent = name;
  const tbody = $("matches"); tbody.replaceChildren();
  for (const m of matches) {
    const l = m.listing; const tr = document.createElement("tr");
    const a = document.createElement("a"); a.href = l.sourceUrl; a.rel = "noopener"; a.textContent = `${l.street} ${l.houseNumber}${l.houseNumberAddition ? " " + l.houseNumberAddition : ""}, ${l.city}`;
    tr.appendChild(document.createElement("td")).appendChild(a);
    cell(tr, fmtRent(l.netRent)); cell(tr, fmtDate(l.closesAt));
    cell(tr, m.notifications.map((n) => `${n.channel}: ${n.status}`).join(", ") || "–");
    tbody.appendChild(tr);
  }
  const ol = $("activity"); ol.replaceChildren();
  for (const a of activities) {
    const li = document.createElement("li");
    li.textContent = `${fmtDate(a.occurredAt)} – ${a.type}${a.payload && a.payload.address ? ": " + a.payload.address : ""}`;
    ol.appendChild(li);
  }
  $("family-section").hidden = false;
  $("family-title").scrollIntoView();
}
async function loadListings() {
  const { listings } = await api("/api/listings?status=open&limit=25");
  const tbody = $("listings"); tbody.replaceChildren();
  for (const l of listings) {
    const tr = document.createElement("tr");
    cell(tr, l.siteId);
    const a = document.createElement("a"); a.href = l.sourceUrl; a.rel = "noopener"; a.textContent = `${l.street} ${l.houseNumber}${l.houseNumberAddition ? " " + l.houseNumberAddition : ""}`;
    tr.appendChild(document.createElement("td")).appendChild(a);
    cell(tr, l.city); cell(tr, fmtRent(l.netRent)); cell(tr, l.bedrooms == null ? "–" : String(l.bedrooms)); cell(tr, fmtDate(l.closesAt));
    tbody.appendChild(tr);
  }
}
async function enter() { show(true); await Promise.all([loadFamilies(), loadListings()]); }

$("login").addEventListener("submit", async (e) => {
  e.preventDefault(); $("login-error").textContent = "";
  try {
    await api("/api/auth/login", { method: "POST", body: JSON.stringify({ email: $("email").value, password: $("password").value }) });
    await enter();
  } catch (err) { $("login-error").textContent = "Aanmelden lukte niet: " + err.message; }
});
$("logout").addEventListener("click", async () => { await api("/api/auth/logout", { method: "POST" }); show(false); });
api("/api/auth/me").then(enter, () => show(false));
