// The staff web app: React + the Amsterdam Design System, built into web/dist and served by the
// Express server. `npm run web:dev` serves it with hot reload and forwards API calls to the server.
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const root = fileURLToPath(new URL(".", import.meta.url));
const api = process.env.API_URL ?? "http://127.0.0.1:3000";

export default defineConfig({
  root,
  plugins: [react()],
  // web/public is served by Express itself (one-tap assets, site health page); not copied.
  publicDir: false,
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsDir: "app",
    sourcemap: false,
  },
  server: {
    host: "127.0.0.1",
    proxy: Object.fromEntries(["/api", "/r", "/cal", "/assets", "/operators/queues", "/sites.html"].map((p) => [p, api])),
  },
});
