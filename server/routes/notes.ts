// Counsellors' notes: entries in the family's evidence log (type "counsellor_note", actor
// "staff:<id>"), so they are dated, tamper-evident and part of the family's own view of its log.
// A note is about the search (contacts, agreements, barriers), never a diagnosis: the page says so,
// and the text is limited in length so it stays a note, not a file.
//   POST /api/families/:id/notes {text}
import { Router } from "express";
import { z } from "zod";
import type { ActivityType } from "../../domain/evidence.js";
import type { Db } from "../../infra/db.js";
import { appendActivity } from "../../infra/evidence-log.js";
import { familyForStaff } from "../access.js";
import { requireRole } from "../auth.js";

export const NOTE_TYPE = "counsellor_note" satisfies ActivityType;
export const NOTE_MAX_LENGTH = 2000;

const NoteInput = z
  .object({
    text: z
      .string()
      .trim()
      .min(1, "write a note")
      .max(NOTE_MAX_LENGTH, `at most ${NOTE_MAX_LENGTH} characters`),
  })
  .strict();

export function notesRouter(db: Db): Router {
  const r = Router();
  const writers = requireRole("admin", "counsellor");

  r.post("/families/:id/notes", writers, async (req, res) => {
    const family = await familyForStaff(db, req, req.params.id, "add_note", { roles: ["admin", "counsellor"] });
    const { text } = NoteInput.parse(req.body);
    const occurredAt = new Date();
    const entry = await db.$transaction((tx) =>
      appendActivity(tx, {
        familyId: family.id,
        type: NOTE_TYPE,
        actor: `staff:${req.staff!.id}`,
        payload: { text },
        occurredAt,
      }),
    );
    res.status(201).json({ note: { seq: entry.seq, type: NOTE_TYPE, actor: "staff", staffName: req.staff!.name, occurredAt: occurredAt.toISOString(), payload: { text } } });
  });
  return r;
}
