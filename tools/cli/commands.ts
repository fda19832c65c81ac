// The registry of CLI commands: one line per command, its code in its own file.
import { registerCommand } from "./registry.js";

registerCommand("sites", () => import("./sites.js").then((m) => m.command));
registerCommand("coverage", () => import("./coverage.js").then((m) => m.command));
registerCommand("parse", () => import("./parse.js").then((m) => m.command));
registerCommand("totp-code", () => import("./totp.js").then((m) => m.command));
registerCommand("erase-due", () => import("./erase.js").then((m) => m.command));
registerCommand("verify-log", () => import("./verify-log.js").then((m) => m.command));
