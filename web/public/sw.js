// Service worker for Eldersthuis alerts on the phone (Web Push). The server sends a small JSON
// message (title, body, url, tag, lang, dir); tapping the notification opens the url (the home on
// the housing site). A later message with the same tag (the same home) replaces the earlier one.
self.addEventListener("push", function (event) {
  var data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (err) {
    data = { title: "Eldersthuis", body: event.data ? event.data.text() : "" };
  }
  event.waitUntil(
    self.registration.showNotification(data.title || "Eldersthuis", {
      body: data.body || "",
      tag: data.tag || undefined,
      lang: data.lang || undefined,
      dir: data.dir || "auto",
      renotify: Boolean(data.tag),
      data: { url: data.url || "/" },
    }),
  );
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var url = (event.notification.data && event.notification.data.url) || "/";
  event.waitUntil(self.clients.openWindow(url));
});
