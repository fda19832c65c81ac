// One-tap answers from a family's message. GET shows what the tap will record and submits it at
// once with a small script (one tap for the family); the record is only written by POST, so mail
// scanners that open links without running scripts never put words in a family's mouth.
// Tokens are signed, single-purpose, expiring and single-use (TokenUse row per token id).
import { Router, type Response } from "express";
import { escapeHtml, translator } from "../../domain/messages.js";
import { verifyTapToken, type TapAction, type TokenPayload } from "../../domain/tokens.js";
import type { Config } from "../../infra/config.js";
import { Prisma, type Db } from "../../infra/db.js";
import { appendActivity } from "../../infra/evidence-log.js";

function page(res: Response, status: number, lang: string, body: string): void {
  const { t } = translator(lang);
  res
    .status(status)
    .type("html")
    .send(
      `<!doctype html><html lang="${escapeHtml(lang)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(t("tapPage.title"))}</title><link rel="stylesheet" href="/assets/family.css"></head><body><main>${body}</main></body></html>`,
    );
}

function message(res: Response, status: number, lang: string, key: string): void {
  const both = lang === "nl" ? ["nl", "en"] : [lang];
  page(res, status, lang, both.map((l) => `<p lang="${l}">${escapeHtml(translator(l).t(key))}</p>`).join(""));
}

export function tapRouter(db: Db, config: Config): Router {
  const r = Router();

  async function load(token: string) {
    const check = verifyTapToken(token, config.TOKEN_SECRET);
    if (!check.ok) return { check } as const;
    const match = await db.match.findUnique({
      where: { id: check.payload.m },
      include: { family: { select: { id: true, language: true } }, listing: { select: { id: true, street: true, houseNumber: true, houseNumberAddition: true, city: true, siteId: true, externalId: true } } },
    });
    return { check, match } as const;
  }
  const addressOf = (l: { street: string; houseNumber: string; houseNumberAddition: string; city: string }) =>
    `${[l.street, l.houseNumber, l.houseNumberAddition].filter(Boolean).join(" ")}, ${l.city}`;

  r.get("/r/:token", async (req, res) => {
    const { check, match } = await load(req.params.token);
    if (!check.ok) return message(res, check.reason === "expired" ? 410 : 400, "nl", check.reason === "expired" ? "tapPage.expired" : "tapPage.invalid");
    if (!match) return message(res, 404, "nl", "tapPage.invalid");
    const lang = match.family.language;
    const used = await db.tokenUse.findUnique({ where: { tokenId: check.payload.id } });
    if (used) return message(res, 200, lang, "tapPage.used");
    const { t } = translator(lang);
    const action = check.payload.a;
    page(
      res,
      200,
      lang,
      `<p>${escapeHtml(addressOf(match.listing))}</p><p>${escapeHtml(t("tapPage.question"))}</p>
<form method="post" action="/r/${escapeHtml(req.params.token)}" id="tap"><button type="submit">${escapeHtml(t(`tapPage.button.${action}`))}</button></form>
<script src="/assets/tap.js"></script>`,
    );
  });

  r.post("/r/:token", async (req, res) => {
    const { check, match } = await load(req.params.token);
    if (!check.ok) return message(res, check.reason === "expired" ? 410 : 400, "nl", check.reason === "expired" ? "tapPage.expired" : "tapPage.invalid");
    if (!match) return message(res, 404, "nl", "tapPage.invalid");
    const payload: TokenPayload = check.payload;
    const action: TapAction = payload.a;
    const lang = match.family.language;
    try {
      await db.$transaction(async (tx) => {
        await tx.tokenUse.create({ data: { tokenId: payload.id } });
        await appendActivity(tx, {
          familyId: match.family.id,
          type: action,
          actor: "family",
          matchId: match.id,
          payload: { listingId: match.listing.id, site: match.listing.siteId, externalId: match.listing.externalId, address: addressOf(match.listing), via: "email_link" },
        });
      });
    } catch (err) {
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") return message(res, 200, lang, "tapPage.used");
      throw err;
    }
    const { t } = translator(lang);
    page(res, 200, lang, `<p role="status">${escapeHtml(t(`tapPage.confirm.${action}`, { address: addressOf(match.listing) }))}</p>`);
  });
  return r;
}
