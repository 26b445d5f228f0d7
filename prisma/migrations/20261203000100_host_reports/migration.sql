-- Each host's current report moves from hosts.report to its own table, so that the hosts rows
-- are narrow: every overview query scans hosts, and every `unchanged` frame rewrites a row (a HOT
-- update copies the whole row; ~2 KB with the report inline, ~250 bytes without it).
-- CreateTable
CREATE TABLE "host_reports" (
    "host_id" UUID NOT NULL,
    "report" JSONB NOT NULL,

    CONSTRAINT "host_reports_pkey" PRIMARY KEY ("host_id")
);

-- The reports stored so far.
INSERT INTO "host_reports" ("host_id", "report")
  SELECT "id", "report" FROM "hosts" WHERE "report" IS NOT NULL;

-- AlterTable
ALTER TABLE "hosts" DROP COLUMN "report";

-- AddForeignKey
ALTER TABLE "host_reports" ADD CONSTRAINT "host_reports_host_id_fkey" FOREIGN KEY ("host_id") REFERENCES "hosts"("id") ON DELETE CASCADE ON UPDATE CASCADE;
