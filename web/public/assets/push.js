// "Get alerts on this phone": the link from an alert e-mail opens this page with its token in the
// fragment (#t=..., never sent to the server in the URL). One tap subscribes this browser to Web
// Push through the service worker (/sw.js) and registers the subscription with the server.
(function () {
  "use strict";
  var token = new URLSearchParams(location.hash.slice(1)).get("t") || "";
  var el = function (id) { return document.getElementById(id); };
  var texts = null;

  function say(key, fallback) {
    el("status").textContent = (texts && texts[key]) || fallback || key;
  }

  function show(page) {
    texts = page.texts;
    document.documentElement.lang = page.lang;
    document.documentElement.dir = page.dir;
    document.title = texts.title;
    el("title").textContent = texts.title;
    el("intro").textContent = texts.intro;
    el("subscribe").textContent = texts.button;
  }

  // VAPID public key (base64url) → the bytes PushManager.subscribe wants.
  function keyBytes(base64url) {
    var b64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(b64 + "===".slice((b64.length + 3) % 4));
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i += 1) out[i] = raw.charCodeAt(i);
    return out;
  }

  async function subscribe(publicKey) {
    var button = el("subscribe");
    button.disabled = true;
    say("working");
    try {
      var permission = await Notification.requestPermission();
      if (permission !== "granted") { say("denied"); button.disabled = false; return; }
      var registration = await navigator.serviceWorker.register("/sw.js", { scope: "/" });
      await navigator.serviceWorker.ready;
      var subscription = (await registration.pushManager.getSubscription()) ||
        (await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(publicKey) }));
      var res = await fetch("/push/subscriptions", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ token: token, subscription: subscription.toJSON() }),
      });
      var answer = await res.json().catch(function () { return {}; });
      if (res.ok) { say("done"); button.hidden = true; return; }
      say(answer.error === "expired" || answer.error === "invalid" ? answer.error : "error", answer.message);
      button.disabled = false;
    } catch (err) {
      say("error");
      button.disabled = false;
    }
  }

  document.addEventListener("DOMContentLoaded", async function () {
    // The texts come from the server in the family's language, also when this browser cannot subscribe.
    var res;
    var page;
    try {
      res = await fetch("/push/setup?t=" + encodeURIComponent(token), { headers: { accept: "application/json" } });
      page = await res.json();
    } catch (err) {
      el("status").textContent = "Er ging iets mis. Something went wrong.";
      return;
    }
    show(page);
    if (!res.ok) { say(page.error, page.message); return; }
    if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) { say("unsupported"); return; }
    var button = el("subscribe");
    button.hidden = false;
    button.addEventListener("click", function () { subscribe(page.publicKey); });
  });
})();
