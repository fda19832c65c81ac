// `npm run demo`: the whole system on 127.0.0.1 with demo data on the recorded real site formats:
// site farm (4010), SMTP sink (2525, writing .data/outbox/*.eml), API + web (3000), and two worker
// processes sharing the load. Ports and URLs can be overridden with the usual variables.
import { localEnv, startSystem } from "./system.js";

const env = localEnv(process.env);
const system = await startSystem({ env, workers: 2, output: process.stdout, seedDemo: true });
let stopping = false;
const stop = async (code: number) => {
  if (stopping) return;
  stopping = true;
  await system.stop();
  process.exit(code);
};
system.onUnexpectedExit((name, code) => {
  console.error(`[${name}] exited (${code}); stopping the demo`);
  void stop(1);
});
process.once("SIGINT", () => void stop(0));
process.once("SIGTERM", () => void stop(0));
console.log(`
Eldersthuis demo is running.
  Web app and API:  ${env.PUBLIC_URL}
    staff sign-in:  begeleider@demo.eldersthuis.local / ${env.DEMO_STAFF_PASSWORD} (also admin@..., begeleider2@...)
    TOTP code:      npm run cli -- totp-code begeleider@demo.eldersthuis.local   (or add the printed otpauth URI to an authenticator app)
  Site farm:        http://127.0.0.1:${env.FARM_PORT}/_farm/sites
  E-mails:          ${env.OUTBOX_DIR}/*.eml
Publish a home:  curl -X POST -H 'content-type: application/json' -d '{"site":"woonnet-haaglanden"}' http://127.0.0.1:${env.FARM_PORT}/_farm/publish
Stop with Ctrl-C.
`);
