// One-tap answers from a family's message: "I responded", "Not suitable", "I couldn't", "Help me".
// GET shows what the tap will record and submits it at once with a small script (one tap for the
// family); the record is only written by POST, so mail scanners that open links without running
// scripts never put words in a family's mouth.
// Tokens are signed, single-purpose, expiring and single-use (TokenUse row per token id). After the
// answer, the same token lets the family add a reason (one more tap each) and a note; both are
// optional, never required, and each lands in the evidence log linked to the match.
import { Router, type Request, type Response } from "express";
import { z } from "zod";
import { escapeHtml, translator } from "../../domain/messages.js";
import { reasonsFor, verifyTapToken, type TapAction, type TokenPayload } from "../../domain/tokens.js";
import type { Config } from "../../infra/config.js";
import { Prisma, type Db } from "../../infra/db.js";
import { appendActivity, lockFamily } from "../../infra/evidence-log.js";

type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

/** The evidence-log entry type of each answer. */
const ANSWER_TYPE = { responded: "responded", not_for_us: "not_for_us", couldnt: "couldnt", help: "help_requested" } as const;
const NOTE_MAX = 1000;

const ReasonBody = z.object({ reason: z.string().min(1).max(40) });
const NoteBody = z.object({ note: z.string().max(NOTE_MAX * 2).default("") });

function page(res: Response, status: number, lang: string, body: string, script = false): void {
  const { t, dir, lang: l } = translator(lang, "tap");
  res
    .status(status)
    .type("html")
    .set("Cache-Control", "no-store")
    .send(
      `<!doctype html><html lang="${l}" dir="${dir}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex"><title>${escapeHtml(t("title"))}</title><link rel="stylesheet" href="/assets/family.css"></head><body><main>${body}</main>${script ? '<script src="/assets/tap.js"></script>' : ""}</body></html>`,
    );
}

/** A short message page. Before we know the family's language, Dutch and English both. */
function message(res: Response, status: number, lang: string | null, key: string): void {
  const langs = lang ? [lang] : ["nl", "en"];
  page(res, status, lang ?? "nl", langs.map((l) => `<p lang="${l}">${escapeHtml(translator(l, "tap").t(key))}</p>`).join(""));
}

const addressOf = (l: { street: string; houseNumber: string; houseNumberAddition: string; city: string }) =>
  `${[l.street, l.houseNumber, l.houseNumberAddition].filter(Boolean).join(" ")}, ${l.city}`;

/** The optional follow-ups after an answer: reason buttons (one tap each) and a note field. */
function followUps(token: string, action: TapAction, lang: string, opts: { reasons: boolean }): string {
  const { t } = translator(lang, "tap");
  const e = escapeHtml;
  const base = `/r/${e(token)}`;
  const reasons = opts.reasons ? reasonsFor(action) : [];
  const reasonPart =
    reasons.length > 0
      ? `<section aria-labelledby="why"><h2 id="why">${e(t(`reasonQuestion.${action}`))}</h2><p class="hint">${e(t("optional"))}</p><div class="choices">${reasons
          .map(
            (r) =>
              `<form method="post" action="${base}/reason"><input type="hidden" name="reason" value="${e(r)}"><button type="submit" class="choice">${e(t(`reason.${action}.${r}`))}</button></form>`,
          )
          .join("")}</div></section>`
      : "";
  const label = action === "help" ? t("noteLabelHelp") : t("noteLabel");
  const notePart = `<form method="post" action="${base}/note" class="note"><label for="note">${e(label)}</label><textarea id="note" name="note" rows="4" maxlength="${NOTE_MAX}"></textarea><button type="submit" class="secondary">${e(t("noteSend"))}</button></form>`;
  return reasonPart + notePart;
}

export function tapRouter(db: Db, config: Config): Router {
  const r = Router();

  async function load(token: string) {
    const check = verifyTapToken(token, config.TOKEN_SECRET);
    if (!check.ok) return { check } as const;
    const match = await db.match.findUnique({
      where: { id: check.payload.m },
      include: {
        family: { select: { id: true, language: true } },
        listing: { select: { id: true, street: true, houseNumber: true, houseNumberAddition: true, city: true, siteId: true, externalId: true } },
      },
    });
    return { check, match } as const;
  }
  type Loaded = NonNullable<Awaited<ReturnType<typeof load>>["match"]>;

  /** Answers the bad-link cases; returns the token and match when the link is good. */
  async function resolve(req: Request, res: Response): Promise<{ payload: TokenPayload; match: Loaded } | null> {
    const token = String(req.params.token);
    const { check, match } = await load(token);
    if (!check.ok) {
      message(res, check.reason === "expired" ? 410 : 400, null, check.reason === "expired" ? "expired" : "invalid");
      return null;
    }
    if (!match) {
      message(res, 404, null, "invalid");
      return null;
    }
    return { payload: check.payload, match };
  }

  /** A family-facing page never shows a stack trace: log it and say "try again later". */
  const safely = (handler: (req: Request, res: Response) => Promise<void>) => async (req: Request, res: Response) => {
    try {
      await handler(req, res);
    } catch (err) {
      req.log?.error({ err }, "one-tap page failed");
      if (!res.headersSent) message(res, 503, null, "unavailable");
    }
  };

  const listingPayload = (m: Loaded) => ({ listingId: m.listing.id, site: m.listing.siteId, externalId: m.listing.externalId, address: addressOf(m.listing) });

  r.get(
    "/r/:token",
    safely(async (req, res) => {
      const ok = await resolve(req, res);
      if (!ok) return;
      const { payload, match } = ok;
      const lang = match.family.language;
      const { t } = translator(lang, "tap");
      const used = await db.tokenUse.findUnique({ where: { tokenId: payload.id } });
      if (used) {
        page(res, 200, lang, `<p role="status">${escapeHtml(t("used"))}</p>${followUps(String(req.params.token), payload.a, lang, { reasons: true })}`);
        return;
      }
      page(
        res,
        200,
        lang,
        `<p><bdi>${escapeHtml(addressOf(match.listing))}</bdi></p><p>${escapeHtml(t("question"))}</p>
<form method="post" action="/r/${escapeHtml(String(req.params.token))}" id="tap"><button type="submit">${escapeHtml(t(`button.${payload.a}`))}</button></form>`,
        true,
      );
    }),
  );

  r.post(
    "/r/:token",
    safely(async (req, res) => {
      const ok = await resolve(req, res);
      if (!ok) return;
      const { payload, match } = ok;
      const action: TapAction = payload.a;
      const lang = match.family.language;
      try {
        await db.$transaction(async (tx) => {
          await lockFamily(tx, match.family.id);
          await tx.tokenUse.create({ data: { tokenId: payload.id } });
          let taskId: string | undefined;
          if (action === "help") taskId = await helpTask(tx, match);
          await appendActivity(tx, {
            familyId: match.family.id,
            type: ANSWER_TYPE[action],
            actor: "family",
            matchId: match.id,
            payload: { ...listingPayload(match), via: "one_tap", tokenId: payload.id, ...(taskId ? { taskId } : {}) },
          });
        });
      } catch (err) {
        if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") {
          message(res, 200, lang, "used");
          return;
        }
        throw err;
      }
      const { t } = translator(lang, "tap");
      page(
        res,
        200,
        lang,
        `<p role="status">${escapeHtml(t(`confirm.${action}`, { address: addressOf(match.listing) }))}</p>${followUps(String(req.params.token), action, lang, { reasons: true })}`,
      );
    }),
  );

  /** One open "help_requested" task per match is enough; a second tap is still recorded as evidence. */
  async function helpTask(tx: Tx, match: Loaded): Promise<string> {
    const open = await tx.task.findFirst({ where: { familyId: match.family.id, matchId: match.id, kind: "help_requested", status: "open" }, select: { id: true } });
    if (open) return open.id;
    const task = await tx.task.create({ data: { familyId: match.family.id, matchId: match.id, kind: "help_requested" }, select: { id: true } });
    return task.id;
  }

  /** Follow-ups need the answer first: the token must have been used for it. Answers 409 when not. */
  async function resolveAnswered(req: Request, res: Response): Promise<{ payload: TokenPayload; match: Loaded; lang: string } | null> {
    const ok = await resolve(req, res);
    if (!ok) return null;
    const lang = ok.match.family.language;
    if ((await db.tokenUse.count({ where: { tokenId: ok.payload.id } })) !== 1) {
      message(res, 409, lang, "answerFirst");
      return null;
    }
    return { ...ok, lang };
  }

  r.post(
    "/r/:token/reason",
    safely(async (req, res) => {
      const ok = await resolveAnswered(req, res);
      if (!ok) return;
      const { payload, match, lang } = ok;
      const body = ReasonBody.safeParse(req.body);
      const reason = body.success ? body.data.reason : "";
      if (!reasonsFor(payload.a).includes(reason)) return message(res, 400, lang, "invalid");
      await db.$transaction(async (tx) => {
        // Lock the family's log first, so two quick taps on one button record the reason once.
        await tx.$queryRaw`SELECT id FROM "Family" WHERE id = ${match.family.id}::uuid FOR UPDATE`;
        const already = await tx.activity.count({
          where: {
            familyId: match.family.id,
            matchId: match.id,
            type: "answer_reason",
            AND: [{ payload: { path: ["tokenId"], equals: payload.id } }, { payload: { path: ["reason"], equals: reason } }],
          },
        });
        if (already > 0) return;
        await appendActivity(tx, {
          familyId: match.family.id,
          type: "answer_reason",
          actor: "family",
          matchId: match.id,
          payload: { answer: ANSWER_TYPE[payload.a], reason, listingId: match.listing.id, tokenId: payload.id },
        });
      });
      const { t } = translator(lang, "tap");
      page(res, 200, lang, `<p role="status">${escapeHtml(t("reasonSaved"))}</p>${followUps(String(req.params.token), payload.a, lang, { reasons: false })}`);
    }),
  );

  r.post(
    "/r/:token/note",
    safely(async (req, res) => {
      const ok = await resolveAnswered(req, res);
      if (!ok) return;
      const { payload, match, lang } = ok;
      const body = NoteBody.safeParse(req.body ?? {});
      const note = body.success ? body.data.note.trim() : null;
      if (note === null || note.length > NOTE_MAX) {
        const { t } = translator(lang, "tap");
        page(res, 400, lang, `<p role="alert">${escapeHtml(t("noteTooLong"))}</p>${followUps(String(req.params.token), payload.a, lang, { reasons: false })}`);
        return;
      }
      // A note is never required: an empty one is simply not recorded.
      if (note !== "") {
        await db.$transaction(async (tx) => {
          await appendActivity(tx, {
            familyId: match.family.id,
            type: "answer_note",
            actor: "family",
            matchId: match.id,
            payload: { answer: ANSWER_TYPE[payload.a], note, listingId: match.listing.id, tokenId: payload.id },
          });
          if (payload.a === "help") {
            // The counsellor reads the family's own words on the task.
            const task = await tx.task.findFirst({
              where: { familyId: match.family.id, matchId: match.id, kind: "help_requested", status: "open" },
              orderBy: { createdAt: "desc" },
              select: { id: true, note: true },
            });
            if (task) await tx.task.update({ where: { id: task.id }, data: { note: task.note ? `${task.note}\n\n${note}` : note } });
          }
        });
      }
      message(res, 200, lang, "noteSaved");
    }),
  );
  return r;
}
