/// <reference types="vite/client" />
// Entry: the Amsterdam Design System's tokens and component styles, the app's few own styles,
// and the Amsterdam Sans font unless the build opts out (the font needs a licence: see README).
import "@amsterdam/design-system-tokens/dist/index.css";
import "@amsterdam/design-system-css/dist/index.css";
import "./app.css";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { I18nProvider } from "./i18n";

if (import.meta.env.VITE_AMSTERDAM_SANS !== "false") {
  void import("@amsterdam/design-system-assets/font/index.css");
}

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <I18nProvider>
      <App />
    </I18nProvider>
  </StrictMode>,
);
