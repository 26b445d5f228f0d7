-- Server-side logout: a login token carries the user's session epoch, a logout raises it, and the
-- tokens of an earlier epoch are refused. Existing tokens carry none (epoch 0) and stay valid
-- until the user's first logout.
-- AlterTable
ALTER TABLE "users" ADD COLUMN     "session_epoch" INTEGER NOT NULL DEFAULT 0;
