// The registry of CLI commands: one line per command, its code in its own file.
import { registerCommand } from "./main.js";

void registerCommand;
