-- CreateEnum
CREATE TYPE "rollout_state" AS ENUM ('awaiting_approval', 'approved', 'running', 'paused', 'halted', 'completed', 'cancelled');

-- CreateEnum
CREATE TYPE "step_state" AS ENUM ('pending', 'dispatched', 'succeeded', 'failed', 'skipped');

-- CreateEnum
CREATE TYPE "webhook_format" AS ENUM ('json', 'slack');

-- CreateTable
CREATE TABLE "rollout_groups" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "name" VARCHAR(100) NOT NULL,
    "selector" JSONB,
    "host_ids" JSONB NOT NULL DEFAULT '[]',
    "limit" JSONB NOT NULL,
    "windows" JSONB NOT NULL DEFAULT '[]',
    "depends_on" JSONB NOT NULL DEFAULT '[]',
    "protected" BOOLEAN NOT NULL DEFAULT false,
    "health_checks" JSONB NOT NULL DEFAULT '[]',
    "hold_sec" INTEGER NOT NULL DEFAULT 0,
    "hooks" BOOLEAN NOT NULL DEFAULT true,
    "delay_between_steps_sec" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "rollout_groups_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "rollouts" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "name" VARCHAR(200) NOT NULL,
    "state" "rollout_state" NOT NULL DEFAULT 'awaiting_approval',
    "options" JSONB NOT NULL,
    "plan" JSONB NOT NULL,
    "groups" JSONB NOT NULL,
    "requires_admin" BOOLEAN NOT NULL DEFAULT false,
    "created_by_id" VARCHAR(255),
    "created_by_name" VARCHAR(255),
    "approved_by_id" VARCHAR(255),
    "approved_by_name" VARCHAR(255),
    "approved_at" TIMESTAMPTZ(3),
    "approval_expires_at" TIMESTAMPTZ(3),
    "failure_budget" INTEGER NOT NULL DEFAULT 0,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "halt_reason" VARCHAR(1024),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "version" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "rollouts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "rollout_steps" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "rollout_id" UUID NOT NULL,
    "host_id" UUID NOT NULL,
    "hostname" VARCHAR(1024) NOT NULL,
    "position" INTEGER NOT NULL,
    "state" "step_state" NOT NULL DEFAULT 'pending',
    "action" VARCHAR(32) NOT NULL,
    "operations" JSONB NOT NULL,
    "needs" JSONB NOT NULL,
    "group_names" JSONB NOT NULL,
    "health_checks" JSONB NOT NULL DEFAULT '[]',
    "hold_sec" INTEGER NOT NULL DEFAULT 0,
    "hooks" BOOLEAN NOT NULL DEFAULT true,
    "timeout_sec" INTEGER NOT NULL,
    "expected_kernel" VARCHAR(1024),
    "boot_id_at_dispatch" VARCHAR(1024),
    "report_seq_at_dispatch" BIGINT,
    "dispatched_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "agent_state" VARCHAR(32),
    "agent_message" VARCHAR(1024),
    "agent_at" TIMESTAMPTZ(3),
    "evidence" JSONB NOT NULL DEFAULT '{}',
    "failure_reason" VARCHAR(1024),

    CONSTRAINT "rollout_steps_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhooks" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "name" VARCHAR(100) NOT NULL,
    "url" VARCHAR(2048) NOT NULL,
    "format" "webhook_format" NOT NULL DEFAULT 'json',
    "events" JSONB NOT NULL DEFAULT '[]',
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhooks_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "rollout_groups_name_key" ON "rollout_groups"("name");

-- CreateIndex
CREATE INDEX "rollouts_state_idx" ON "rollouts"("state");

-- CreateIndex
CREATE INDEX "rollouts_created_at_idx" ON "rollouts"("created_at");

-- CreateIndex
CREATE INDEX "rollout_steps_rollout_id_position_idx" ON "rollout_steps"("rollout_id", "position");

-- CreateIndex
CREATE INDEX "rollout_steps_host_id_state_idx" ON "rollout_steps"("host_id", "state");

-- CreateIndex
CREATE INDEX "rollout_steps_action_state_idx" ON "rollout_steps"("action", "state");

-- CreateIndex
CREATE UNIQUE INDEX "rollout_steps_rollout_id_host_id_key" ON "rollout_steps"("rollout_id", "host_id");

-- AddForeignKey
ALTER TABLE "rollout_steps" ADD CONSTRAINT "rollout_steps_rollout_id_fkey" FOREIGN KEY ("rollout_id") REFERENCES "rollouts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

