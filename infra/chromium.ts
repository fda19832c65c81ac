// Chromium launch flags for every browser we start (the workers' pool, the server's PDF printer):
// no sandbox in containers, no background traffic of Chromium's own.
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
