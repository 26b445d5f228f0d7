-- Server instances with heartbeats (crashed instances' hosts are marked offline), the instance
-- holding each host's connection, and cluster messages too large for NOTIFY. The hosts table
-- loses its last_seen_at index and gets a fillfactor, so that the frequent updates of
-- report_seq/reported_at/last_seen_at are HOT updates (no index maintenance).
-- DropIndex
DROP INDEX "hosts_last_seen_at_idx";

-- AlterTable
ALTER TABLE "hosts" ADD COLUMN     "instance_id" UUID;

-- CreateTable
CREATE TABLE "server_instances" (
    "id" UUID NOT NULL,
    "hostname" VARCHAR(255) NOT NULL,
    "pid" INTEGER NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "heartbeat_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "server_instances_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "cluster_messages" (
    "id" BIGSERIAL NOT NULL,
    "recipient_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "body" JSONB NOT NULL,

    CONSTRAINT "cluster_messages_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "server_instances_heartbeat_at_idx" ON "server_instances"("heartbeat_at");

-- CreateIndex
CREATE INDEX "cluster_messages_created_at_idx" ON "cluster_messages"("created_at");

-- CreateIndex
CREATE INDEX "hosts_instance_id_idx" ON "hosts"("instance_id");


-- Room in each page for HOT updates (not modelled by Prisma).
ALTER TABLE "hosts" SET (fillfactor = 70);
