-- CreateTable
CREATE TABLE "server_settings" (
    "key" VARCHAR(100) NOT NULL,
    "value" VARCHAR(4096) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "server_settings_pkey" PRIMARY KEY ("key")
);
