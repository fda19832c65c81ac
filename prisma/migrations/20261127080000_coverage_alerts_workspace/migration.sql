-- CreateEnum
CREATE TYPE "SiteHealth" AS ENUM ('healthy', 'degraded', 'blocked', 'broken');

-- AlterEnum
ALTER TYPE "Role" ADD VALUE 'evaluator';

-- AlterTable
ALTER TABLE "User" ADD COLUMN     "totpEnabled" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "totpSecret" TEXT;

-- AlterTable
ALTER TABLE "Session" ADD COLUMN     "csrfToken" TEXT,
ADD COLUMN     "familyId" UUID,
ADD COLUMN     "secondFactorDone" BOOLEAN NOT NULL DEFAULT false,
ALTER COLUMN "userId" DROP NOT NULL;

-- AlterTable
ALTER TABLE "Site" ADD COLUMN     "etag" TEXT,
ADD COLUMN     "health" "SiteHealth" NOT NULL DEFAULT 'healthy',
ADD COLUMN     "healthChangedAt" TIMESTAMP(3),
ADD COLUMN     "lastModified" TEXT;

-- AlterTable
ALTER TABLE "Listing" ADD COLUMN     "homeKey" TEXT;

-- AlterTable
ALTER TABLE "Family" ADD COLUMN     "admittedOn" DATE,
ADD COLUMN     "calendarToken" TEXT,
ADD COLUMN     "dailyCap" INTEGER NOT NULL DEFAULT 10,
ADD COLUMN     "digestTime" TEXT NOT NULL DEFAULT '18:00',
ADD COLUMN     "erasedAt" TIMESTAMP(3),
ADD COLUMN     "incomeBand" TEXT,
ADD COLUMN     "leftShelterOn" DATE,
ADD COLUMN     "needs" TEXT[],
ADD COLUMN     "nextEvaluationOn" DATE,
ADD COLUMN     "pausedUntil" TIMESTAMP(3),
ADD COLUMN     "quietFrom" TEXT NOT NULL DEFAULT '21:00',
ADD COLUMN     "quietUntil" TEXT NOT NULL DEFAULT '08:00';

-- AlterTable
ALTER TABLE "Match" ADD COLUMN     "delivery" TEXT NOT NULL DEFAULT 'instant',
ADD COLUMN     "duplicateOfId" UUID;

-- AlterTable
ALTER TABLE "Notification" ADD COLUMN     "deliveredAt" TIMESTAMP(3),
ADD COLUMN     "notBefore" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "OperatorNotice" (
    "id" UUID NOT NULL,
    "siteId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "transitionAt" TIMESTAMP(3) NOT NULL,
    "detail" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sentAt" TIMESTAMP(3),
    "error" TEXT,

    CONSTRAINT "OperatorNotice_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Registration" (
    "id" UUID NOT NULL,
    "familyId" UUID NOT NULL,
    "siteId" TEXT NOT NULL,
    "registeredOn" DATE NOT NULL,
    "registrationNumber" TEXT,
    "renewalDueOn" DATE,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Registration_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PushSubscription" (
    "id" UUID NOT NULL,
    "familyId" UUID NOT NULL,
    "endpoint" TEXT NOT NULL,
    "p256dh" TEXT NOT NULL,
    "auth" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PushSubscription_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Reminder" (
    "id" UUID NOT NULL,
    "familyId" UUID NOT NULL,
    "matchId" UUID,
    "kind" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "dueAt" TIMESTAMP(3) NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'scheduled',
    "channel" TEXT,
    "reason" TEXT,
    "sentAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Reminder_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Digest" (
    "id" UUID NOT NULL,
    "familyId" UUID NOT NULL,
    "day" DATE NOT NULL,
    "channel" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "providerMessageId" TEXT,
    "error" TEXT,
    "sentAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Digest_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Task" (
    "id" UUID NOT NULL,
    "familyId" UUID NOT NULL,
    "matchId" UUID,
    "kind" TEXT NOT NULL,
    "note" TEXT,
    "status" TEXT NOT NULL DEFAULT 'open',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "doneAt" TIMESTAMP(3),
    "doneById" UUID,

    CONSTRAINT "Task_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "FamilyLoginCode" (
    "id" UUID NOT NULL,
    "familyId" UUID NOT NULL,
    "codeHash" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "usedAt" TIMESTAMP(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "FamilyLoginCode_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Evaluation" (
    "id" UUID NOT NULL,
    "familyId" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "periodStart" DATE NOT NULL,
    "periodEnd" DATE NOT NULL,
    "createdById" UUID NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "childInterests" JSONB NOT NULL,
    "report" JSONB NOT NULL,
    "chainVerified" BOOLEAN NOT NULL,

    CONSTRAINT "Evaluation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "EvaluationShare" (
    "id" UUID NOT NULL,
    "evaluationId" UUID NOT NULL,
    "evaluatorId" UUID NOT NULL,
    "sharedById" UUID NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "EvaluationShare_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "OperatorNotice_sentAt_idx" ON "OperatorNotice"("sentAt");

-- CreateIndex
CREATE UNIQUE INDEX "OperatorNotice_siteId_kind_transitionAt_key" ON "OperatorNotice"("siteId", "kind", "transitionAt");

-- CreateIndex
CREATE UNIQUE INDEX "Registration_familyId_siteId_key" ON "Registration"("familyId", "siteId");

-- CreateIndex
CREATE UNIQUE INDEX "PushSubscription_endpoint_key" ON "PushSubscription"("endpoint");

-- CreateIndex
CREATE UNIQUE INDEX "Reminder_key_key" ON "Reminder"("key");

-- CreateIndex
CREATE INDEX "Reminder_status_dueAt_idx" ON "Reminder"("status", "dueAt");

-- CreateIndex
CREATE UNIQUE INDEX "Digest_familyId_day_channel_key" ON "Digest"("familyId", "day", "channel");

-- CreateIndex
CREATE INDEX "Task_familyId_status_idx" ON "Task"("familyId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "FamilyLoginCode_codeHash_key" ON "FamilyLoginCode"("codeHash");

-- CreateIndex
CREATE UNIQUE INDEX "Evaluation_familyId_version_key" ON "Evaluation"("familyId", "version");

-- CreateIndex
CREATE INDEX "EvaluationShare_evaluatorId_idx" ON "EvaluationShare"("evaluatorId");

-- CreateIndex
CREATE INDEX "Listing_homeKey_idx" ON "Listing"("homeKey");

-- CreateIndex
CREATE UNIQUE INDEX "Family_calendarToken_key" ON "Family"("calendarToken");

-- AddForeignKey
ALTER TABLE "OperatorNotice" ADD CONSTRAINT "OperatorNotice_siteId_fkey" FOREIGN KEY ("siteId") REFERENCES "Site"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Registration" ADD CONSTRAINT "Registration_familyId_fkey" FOREIGN KEY ("familyId") REFERENCES "Family"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Registration" ADD CONSTRAINT "Registration_siteId_fkey" FOREIGN KEY ("siteId") REFERENCES "Site"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PushSubscription" ADD CONSTRAINT "PushSubscription_familyId_fkey" FOREIGN KEY ("familyId") REFERENCES "Family"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Reminder" ADD CONSTRAINT "Reminder_familyId_fkey" FOREIGN KEY ("familyId") REFERENCES "Family"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Digest" ADD CONSTRAINT "Digest_familyId_fkey" FOREIGN KEY ("familyId") REFERENCES "Family"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Task" ADD CONSTRAINT "Task_familyId_fkey" FOREIGN KEY ("familyId") REFERENCES "Family"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FamilyLoginCode" ADD CONSTRAINT "FamilyLoginCode_familyId_fkey" FOREIGN KEY ("familyId") REFERENCES "Family"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Evaluation" ADD CONSTRAINT "Evaluation_familyId_fkey" FOREIGN KEY ("familyId") REFERENCES "Family"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EvaluationShare" ADD CONSTRAINT "EvaluationShare_evaluationId_fkey" FOREIGN KEY ("evaluationId") REFERENCES "Evaluation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

