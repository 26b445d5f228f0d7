-- Host labels as rows (host_labels), kept equal to hosts.labels by a trigger: the per-label
-- fleet overview becomes a hash join instead of one jsonb_each_text call per host, and a label
-- filter an index lookup. hosts.labels stays the one place the application writes labels.
-- CreateTable
CREATE TABLE "host_labels" (
    "host_id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL,

    CONSTRAINT "host_labels_pkey" PRIMARY KEY ("host_id","key")
);

-- CreateIndex
CREATE INDEX "host_labels_key_value_idx" ON "host_labels"("key", "value");

-- AddForeignKey
ALTER TABLE "host_labels" ADD CONSTRAINT "host_labels_host_id_fkey" FOREIGN KEY ("host_id") REFERENCES "hosts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The labels of the hosts enrolled so far.
INSERT INTO "host_labels" ("host_id", "key", "value")
  SELECT h."id", l.key, l.value
    FROM "hosts" h,
         jsonb_each_text(CASE WHEN jsonb_typeof(h."labels") = 'object' THEN h."labels" ELSE '{}'::jsonb END) l;

-- From now on: rewritten whenever a host is created or its labels change. The per-frame
-- updates of hosts do not name the labels column, so they never fire it (and stay HOT).
CREATE FUNCTION "hosts_sync_labels"() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    DELETE FROM "host_labels" WHERE "host_id" = NEW."id";
  END IF;
  INSERT INTO "host_labels" ("host_id", "key", "value")
    SELECT NEW."id", l.key, l.value
      FROM jsonb_each_text(CASE WHEN jsonb_typeof(NEW."labels") = 'object' THEN NEW."labels" ELSE '{}'::jsonb END) l;
  RETURN NULL;
END
$$;

CREATE TRIGGER "hosts_sync_labels_insert"
  AFTER INSERT ON "hosts"
  FOR EACH ROW EXECUTE FUNCTION "hosts_sync_labels"();

CREATE TRIGGER "hosts_sync_labels_update"
  AFTER UPDATE OF "labels" ON "hosts"
  FOR EACH ROW WHEN (OLD."labels" IS DISTINCT FROM NEW."labels")
  EXECUTE FUNCTION "hosts_sync_labels"();
