/*
 * The library the integration tests upgrade under a running process. Built twice, with
 * -DSTALE_VERSION="v1" and "v2", so that an "upgrade" really changes the bytes; the version
 * string has a fixed length so that a test can rewrite v1 into v2 in place (same inode, no
 * truncation) the way `cp` over an installed file does.
 */
#ifndef STALE_VERSION
#define STALE_VERSION "v1"
#endif

const char *stale_version(void) { return "afterpatch-libstale-" STALE_VERSION; }
