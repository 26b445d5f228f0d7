-- The first schema of the server's storage. Generated from prisma/schema.prisma with
-- `prisma migrate diff --from-empty --to-schema prisma/schema.prisma --script` (through the wasm
-- engine shim, see prisma/README.md), with two hand-written parts that Prisma does not model:
-- the pg_trgm extension here and the append-only trigger on audit_events at the end.

-- Trigram operators for the hostname substring search index (hosts_hostname_trgm_idx). A trusted
-- extension: the database owner may create it without being superuser.
CREATE EXTENSION IF NOT EXISTS "pg_trgm";

-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "role" AS ENUM ('viewer', 'operator', 'admin');

-- CreateEnum
CREATE TYPE "host_status" AS ENUM ('ok', 'restart', 'reboot', 'unknown');

-- CreateEnum
CREATE TYPE "actor_type" AS ENUM ('user', 'token', 'agent', 'system');

-- CreateTable
CREATE TABLE "users" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "username" VARCHAR(64) NOT NULL,
    "password_hash" VARCHAR(255) NOT NULL,
    "role" "role" NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "disabled_at" TIMESTAMPTZ(3),

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_tokens" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "user_id" UUID NOT NULL,
    "name" VARCHAR(100) NOT NULL,
    "token_hash" VARCHAR(128) NOT NULL,
    "prefix" VARCHAR(16) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    "last_used_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "enrollment_tokens" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "name" VARCHAR(100) NOT NULL,
    "token_hash" VARCHAR(128) NOT NULL,
    "created_by_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "revoked_at" TIMESTAMPTZ(3),
    "max_uses" INTEGER,
    "uses" INTEGER NOT NULL DEFAULT 0,
    "labels" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "enrollment_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "hosts" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "hostname" VARCHAR(1024) NOT NULL,
    "machine_id" VARCHAR(1024),
    "labels" JSONB NOT NULL DEFAULT '{}',
    "credential_hash" VARCHAR(255) NOT NULL,
    "credential_rotated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "enrolled_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "enrollment_token_id" UUID,
    "revoked_at" TIMESTAMPTZ(3),
    "last_seen_at" TIMESTAMPTZ(3),
    "online" BOOLEAN NOT NULL DEFAULT false,
    "status" "host_status" NOT NULL DEFAULT 'unknown',
    "boot_id" VARCHAR(1024),
    "kernel_release" VARCHAR(1024),
    "agent_version" VARCHAR(1024),
    "report" JSONB,
    "report_hash" VARCHAR(128),
    "reported_at" TIMESTAMPTZ(3),
    "report_seq" BIGINT NOT NULL DEFAULT 0,
    "stale_since" TIMESTAMPTZ(3),
    "stale_processes" INTEGER NOT NULL DEFAULT 0,
    "services_to_restart" INTEGER NOT NULL DEFAULT 0,
    "containers_to_restart" INTEGER NOT NULL DEFAULT 0,
    "sessions" INTEGER NOT NULL DEFAULT 0,
    "reboot_required" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "hosts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "host_history" (
    "id" BIGSERIAL NOT NULL,
    "host_id" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "status" "host_status" NOT NULL,
    "report_hash" VARCHAR(128) NOT NULL,
    "report" JSONB NOT NULL,
    "summary" JSONB NOT NULL,

    CONSTRAINT "host_history_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "host_stale_packages" (
    "host_id" UUID NOT NULL,
    "name" VARCHAR(1024) NOT NULL,
    "installed_version" VARCHAR(1024),
    "previous_version" VARCHAR(1024),
    "process_count" INTEGER NOT NULL,
    "files" JSONB NOT NULL,

    CONSTRAINT "host_stale_packages_pkey" PRIMARY KEY ("host_id","name")
);

-- CreateTable
CREATE TABLE "audit_events" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor_type" "actor_type" NOT NULL,
    "actor_id" VARCHAR(255),
    "action" VARCHAR(100) NOT NULL,
    "target_type" VARCHAR(100),
    "target_id" VARCHAR(255),
    "details" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "audit_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "users_username_key" ON "users"("username");

-- CreateIndex
CREATE UNIQUE INDEX "api_tokens_token_hash_key" ON "api_tokens"("token_hash");

-- CreateIndex
CREATE INDEX "api_tokens_user_id_idx" ON "api_tokens"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "enrollment_tokens_token_hash_key" ON "enrollment_tokens"("token_hash");

-- CreateIndex
CREATE INDEX "enrollment_tokens_created_by_id_idx" ON "enrollment_tokens"("created_by_id");

-- CreateIndex
CREATE UNIQUE INDEX "hosts_machine_id_key" ON "hosts"("machine_id");

-- CreateIndex
CREATE INDEX "hosts_status_idx" ON "hosts"("status");

-- CreateIndex
CREATE INDEX "hosts_online_idx" ON "hosts"("online");

-- CreateIndex
CREATE INDEX "hosts_last_seen_at_idx" ON "hosts"("last_seen_at");

-- CreateIndex
CREATE INDEX "hosts_enrollment_token_id_idx" ON "hosts"("enrollment_token_id");

-- CreateIndex
CREATE INDEX "hosts_hostname_trgm_idx" ON "hosts" USING GIN ("hostname" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "host_history_host_id_at_idx" ON "host_history"("host_id", "at" DESC);

-- CreateIndex
CREATE INDEX "host_stale_packages_name_idx" ON "host_stale_packages"("name");

-- CreateIndex
CREATE INDEX "audit_events_at_idx" ON "audit_events"("at");

-- CreateIndex
CREATE INDEX "audit_events_action_idx" ON "audit_events"("action");

-- CreateIndex
CREATE INDEX "audit_events_actor_id_idx" ON "audit_events"("actor_id");

-- AddForeignKey
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "enrollment_tokens" ADD CONSTRAINT "enrollment_tokens_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "hosts" ADD CONSTRAINT "hosts_enrollment_token_id_fkey" FOREIGN KEY ("enrollment_token_id") REFERENCES "enrollment_tokens"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "host_history" ADD CONSTRAINT "host_history_host_id_fkey" FOREIGN KEY ("host_id") REFERENCES "hosts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "host_stale_packages" ADD CONSTRAINT "host_stale_packages_host_id_fkey" FOREIGN KEY ("host_id") REFERENCES "hosts"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Audit events are append-only, whoever asks: the database refuses UPDATE, DELETE and TRUNCATE
-- on the table (statement-level, so even a statement that would touch no row is refused).
-- Pruning old events is a deliberate maintenance act by the table owner (DISABLE TRIGGER).
CREATE FUNCTION "audit_events_append_only"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'AP001', HINT = 'Audit events are never changed or removed by the application.';
END;
$$;

CREATE TRIGGER "audit_events_append_only"
  BEFORE UPDATE OR DELETE OR TRUNCATE ON "audit_events"
  FOR EACH STATEMENT EXECUTE FUNCTION "audit_events_append_only"();
